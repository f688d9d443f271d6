import Foundation
import Testing
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

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
            complete_words wsimg pick "my lesson.json" element-0
            complete_words wsimg candidates my

            """)
        let folder = URL(fileURLWithPath: Wsimg.binary).deletingLastPathComponent().path
        let run = try await Wsimg.run(["-c", "PATH='\(folder)':$PATH bash probe.sh"], in: scratch.path, shell: true)
        #expect(run.code == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count >= 7, "\(run.stdout)")
        guard lines.count >= 7 else { return }
        #expect(lines[0] == "1:my lesson.json")
        #expect(lines[1] == "0:")
        #expect(lines[2] == "0:")
        #expect(lines[3] == "2:element-1-1-1763629200001-g4h5j6k element-1-2-1763629200002-z7x8c9v")
        #expect(lines[4] == "1:--embed")
        #expect(lines[5] == "2:element-0-1-1763629200001-p0q7w1z element-0-3-1763629200003-t5y6u7i")
        #expect(lines[6] == "1:my lesson.json")
    }

    /// zsh and fish: after --redo, and after `pick`/`candidates` WORKSHEET, the worksheet's element ids
    /// (the worksheet named with a space in it); `--api-key` never offered.
    @Test(arguments: ["zsh", "fish"])
    func zshAndFishCompleteElementIDs(shell: String) async throws {
        let scratch = try Scratch()
        let script = try await Wsimg.run(["completion", shell], in: scratch.path)
        #expect(script.code == 0)
        #expect(!script.stdout.contains("api-key"))
        scratch.write("wsimg.\(shell)", script.stdout)
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Samples/worksheet.json").path
        scratch.write("my lesson.json", try String(contentsOfFile: sample, encoding: .utf8))
        let probe =
            shell == "fish"
            ? #"fish -c 'source ./wsimg.fish; complete -C "wsimg generate my\ lesson.json --redo element-1"; echo @@; complete -C "wsimg pick my\ lesson.json element-0"; echo @@; complete -C "wsimg candidates my"'"#
            // zsh's completion system is interactive: the id function is called as _arguments would, with compadd printing.
            : #"zsh -c 'source ./wsimg.zsh >/dev/null 2>&1; compadd() { shift; print -l -- ${(P)1}; }; words=(generate "my lesson.json" --redo element-1); _wsimg_element_ids; echo @@; words=(pick "my lesson.json" e); _wsimg_element_ids; echo @@; words=(pick); _wsimg_element_ids || echo none'"#
        let folder = URL(fileURLWithPath: Wsimg.binary).deletingLastPathComponent().path
        let run = try await Wsimg.run(["-c", "PATH='\(folder)':$PATH " + probe], in: scratch.path, shell: true)
        #expect(run.code == 0, "\(run.stderr)")
        let parts = run.stdout.components(separatedBy: "@@\n").map { $0.split(separator: "\n").map { String($0.split(separator: "\t")[0]) } }
        #expect(parts.count == 3, "\(run.stdout)")
        guard parts.count == 3 else { return }
        if shell == "fish" {
            #expect(parts[0] == ["element-1-1-1763629200001-g4h5j6k", "element-1-2-1763629200002-z7x8c9v"])
            #expect(parts[1] == ["element-0-1-1763629200001-p0q7w1z", "element-0-3-1763629200003-t5y6u7i"])
            #expect(parts[2] == ["my lesson.json"])
        } else {
            #expect(parts[0].count == 4 && parts[0].contains("element-1-2-1763629200002-z7x8c9v"))
            #expect(parts[1] == parts[0])
            #expect(parts[2] == ["none"])
        }
    }
}
