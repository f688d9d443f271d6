import Foundation
import Testing

/// The bash completion as a user meets it: file names with spaces stay whole, `--api-key` is never
/// offered, options that take a number or a name offer no file names, and `--redo` offers the
/// worksheet's element ids.
@Suite struct CompletionTests {
    @Test func bashCompletesAsAUserExpects() async throws {
        let scratch = try Scratch()
        let script = try await Wsimg.run(["completion", "bash"], in: scratch.path)
        #expect(script.code == 0)
        scratch.write("wsimg.bash", script.stdout)
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Samples/worksheet.json").path
        scratch.write("my lesson.json", try String(contentsOfFile: sample, encoding: .utf8))
        scratch.write("other.json", "{}")
        scratch.write(
            "probe.sh",
            """
            source ./wsimg.bash
            complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _wsimg; echo "${#COMPREPLY[@]}:${COMPREPLY[*]}"; }
            complete_words wsimg generate my
            complete_words wsimg generate other.json --steps ""
            complete_words wsimg generate --api
            complete_words wsimg generate "my lesson.json" --redo element-1
            complete_words wsimg generate --emb

            """)
        let folder = URL(fileURLWithPath: Wsimg.binary).deletingLastPathComponent().path
        let run = try await Wsimg.run(["-c", "PATH='\(folder)':$PATH bash probe.sh"], in: scratch.path, shell: true)
        #expect(run.code == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count >= 5, "\(run.stdout)")
        guard lines.count >= 5 else { return }
        #expect(lines[0] == "1:my lesson.json")
        #expect(lines[1] == "0:")
        #expect(lines[2] == "0:")
        #expect(lines[3] == "2:element-1-1-1763629200001-g4h5j6k element-1-2-1763629200002-z7x8c9v")
        #expect(lines[4] == "1:--embed")
    }
}
