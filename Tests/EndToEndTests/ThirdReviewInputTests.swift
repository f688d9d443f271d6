import FakeUpstream
import Foundation
import Testing
import WsimgBasics
import WsimgCLI
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// The third hostile review, items 6–11: inputs that broke a run. Each test failed on 0.4.0.
@Suite struct ThirdReviewInputTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    // MARK: 7. a folder with no worksheets

    @Test(arguments: [["generate", "empty", "--dry-run"], ["prompts", "empty"], ["generate", "empty"]])
    func aFolderWithNoWorksheetsSaysSo(arguments: [String]) async throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/empty", withIntermediateDirectories: true)
        let run = try await Wsimg.run(arguments, in: scratch.path, environment: ["TOGETHER_API_KEY": Wsimg.secret])
        #expect(run.code == 2)
        #expect(run.stderr.contains("no worksheets (*.json) in empty"), "\(arguments): \(run.stderr)")
    }

    @Test func aFolderWithNoWorksheetsStillWritesTheReport() async throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/empty", withIntermediateDirectories: true)
        let toFile = try await Wsimg.run(["generate", "empty", "--report", "r.json"], in: scratch.path, environment: ["TOGETHER_API_KEY": Wsimg.secret])
        #expect(toFile.code == 2)
        let report = try JSONParser.parse(scratch.bytes("r.json"))
        #expect(report["stop"]?["reason"]?.stringValue == "usage", "\(scratch.read("r.json"))")
        #expect(report["stop"]?["message"]?.stringValue == "no worksheets (*.json) in empty")
        #expect(report["exit_code"]?.numberValue == 2)
        let toStdout = try await Wsimg.run(["generate", "empty", "--report", "-"], in: scratch.path, environment: ["TOGETHER_API_KEY": Wsimg.secret])
        #expect(toStdout.code == 2)
        #expect(try JSONParser.parse(toStdout.stdoutBytes)["stop"]?["reason"]?.stringValue == "usage", "\(toStdout.stdout)")
    }

    // MARK: 8. a FIFO named *.json

    @Test func aFIFOInAWorksheetFolderIsSkippedWithANote() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/lessons", withIntermediateDirectories: true)
        scratch.write("lessons/a.json", Sheets.sample(count: 1))
        #expect(mkfifo(scratch.path + "/lessons/b.json", 0o644) == 0)
        let run = try await Wsimg.run(["generate", "lessons"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("skipping lessons/b.json: it is not a regular file (a FIFO)"), "\(run.stderr)")
        #expect(try scratch.worksheet("lessons/a.json").placeholders.allSatisfy { $0.url != nil })
        let dry = try await Wsimg.run(["prompts", "lessons"], in: scratch.path, environment: env(upstream))
        #expect(dry.code == 0, "\(dry.stderr)")
    }

    // MARK: 9. the printed pick command, pasted

    /// `candidates` prints a pick command; pasted into bash it must run exactly that (not a comment,
    /// not an option). wsimg is on PATH under the name `wsimg`, as a teacher's is.
    @Test(arguments: ["#lesson.json", "-x.json"])
    func thePrintedPickCommandRunsWhenPasted(name: String) async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write(name, Sheets.sample(count: 1))
        for arguments in [["generate", "--", name], ["generate", "--redo", "0-0", "--", name]] {
            let run = try await Wsimg.run(arguments, in: scratch.path, environment: env(upstream))
            #expect(run.code == 0, "\(run.stderr)")
        }
        let listed = try await Wsimg.run(["candidates", "--", name], in: scratch.path, environment: env(upstream))
        let line = try #require(listed.stdout.split(separator: "\n").first { $0.contains("pick one: ") }, "\(listed.stdout)")
        let command = String(line.split(separator: "pick one: ")[1]).replacingOccurrences(of: " N", with: " 1")
        try FileManager.default.createDirectory(atPath: scratch.path + "/bin", withIntermediateDirectories: true)
        #expect(symlink(Wsimg.binary, scratch.path + "/bin/wsimg") == 0)
        let pasted = try await Wsimg.run(
            ["-c", command], in: scratch.path, environment: env(upstream).merging(["PATH": scratch.path + "/bin:/usr/bin:/bin"]) { $1 }, shell: true)
        #expect(pasted.code == 0, "\(command): \(pasted.stderr)")
        #expect(pasted.stderr.contains("candidate 1") || pasted.stdout.contains("candidate 1"), "\(command): \(pasted.stderr)")
    }

    // MARK: 10. the candidates manifest

    /// A candidate's file replaced by a symbolic link (to a whole picture of the right size) is not
    /// offered, and no pick links it.
    @Test func aCandidateThatIsALinkIsNeitherListedNorPicked() async throws {
        let suite = CandidatesTests()
        let (upstream, scratch) = try await suite.generated()
        defer { upstream.stop() }
        let id = CandidatesTests.dinosaur
        #expect(try await Wsimg.run(["generate", "w.json", "--redo", id], in: scratch.path, environment: suite.env(upstream)).code == 0)
        let before = try #require(try await suite.candidates(scratch, upstream, [id]).first)
        #expect(before.candidates.count == 2)
        let planted = try #require(before.candidates.first { !$0.linked })
        let path = scratch.path + "/" + planted.file
        #expect(rename(path, scratch.path + "/elsewhere.png") == 0)
        #expect(symlink(scratch.path + "/elsewhere.png", path) == 0)
        let after = try #require(try await suite.candidates(scratch, upstream, [id]).first)
        #expect(after.candidates.map(\.file) == before.candidates.filter(\.linked).map(\.file), "a link is offered: \(after.candidates)")
        let pick = try await Wsimg.run(["pick", "w.json", id, "2", "--embed", "-o", "up.json"], in: scratch.path, environment: suite.env(upstream))
        #expect(pick.code == 2, "\(pick.stderr)")
        #expect(!scratch.exists("up.json"))
    }

    /// A manifest a newer wsimg wrote is read, never rewritten, and the run says so once.
    @Test func aNewerManifestIsNeverRewritten() async throws {
        let suite = CandidatesTests()
        let (upstream, scratch) = try await suite.generated()
        defer { upstream.stop() }
        let id = CandidatesTests.dinosaur
        var text = scratch.read("w_images/.wsimg-redo.json")
        #expect(text.contains("\"version\": 2,"))
        text = text.replacingOccurrences(of: "\"version\": 2,", with: "\"version\": 3,\n  \"future\": {\"labels\": [1, 2]},")
        scratch.write("w_images/.wsimg-redo.json", text)
        // Its candidates are still read.
        #expect(try await suite.candidates(scratch, upstream, [id]).first?.candidates.count == 1)
        scratch.write("w.json", IdentityTests.sheet(.webApp, prompts: CandidatesTests.prompts + ["A new picture"]))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: suite.env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "version 3").count == 2, "\(run.stderr)")
        let redo = try await Wsimg.run(["generate", "w.json", "--redo", id], in: scratch.path, environment: suite.env(upstream))
        #expect(redo.stderr.contains("newer wsimg"), "\(redo.stderr)")
        #expect(scratch.read("w_images/.wsimg-redo.json") == text)
    }

    // MARK: 11. the setting that really differs

    @Test func aChangedBaseURLIsNamedByPickAndMarkedInTheListing() async throws {
        let suite = CandidatesTests()
        let (upstream, scratch) = try await suite.generated()
        defer { upstream.stop() }
        let id = CandidatesTests.dinosaur
        #expect(try await Wsimg.run(["generate", "w.json", "--redo", id], in: scratch.path, environment: suite.env(upstream)).code == 0)
        let moved = try FakeTogether()
        defer { moved.stop() }
        let listed = try await Wsimg.run(["candidates", "w.json", id], in: scratch.path, environment: suite.env(moved))
        #expect(listed.stdout.components(separatedBy: "(made with other settings: TOGETHER_BASE_URL)").count == 3, "\(listed.stdout)")
        let pick = try await Wsimg.run(["pick", "w.json", id, "1"], in: scratch.path, environment: suite.env(moved))
        #expect(pick.code == 2)
        #expect(pick.stderr.contains("was made with TOGETHER_BASE_URL \(upstream.baseURL)"), "\(pick.stderr)")
        #expect(!pick.stderr.contains("--model"), "\(pick.stderr)")
        #expect(moved.requestCount == 0 && upstream.requestCount == 5)
    }

    // MARK: 6. file names that are not UTF-8

    /// Reads or writes a file whose name is the bytes `name` (Swift's own file APIs take text).
    static func withRawName<Result>(_ folder: String, _ name: [UInt8], _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        let path = Array(folder.utf8) + [UInt8(ascii: "/")] + name + [0]
        return path.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }

    static func writeRaw(_ folder: String, _ name: [UInt8], _ text: String) {
        withRawName(folder, name) { path in
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }

    static func readRaw(_ folder: String, _ name: [UInt8]) -> String {
        withRawName(folder, name) { path in
            guard let file = fopen(path, "r") else { return "" }
            defer { fclose(file) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while case let count = fread(&buffer, 1, buffer.count, file), count > 0 { bytes += buffer[..<count] }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// `lesson\xff.json` (Latin-1 from an old file server), named on the command line and found in a
    /// folder: generated, written in place, printed escaped.
    @Test func aFileNameThatIsNotUTF8IsKeptAsBytes() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let name = Array("lesson".utf8) + [0xFF] + Array(".json".utf8)
        Self.writeRaw(scratch.path, name, Sheets.sample(count: 1))
        try FileManager.default.createDirectory(atPath: scratch.path + "/lessons", withIntermediateDirectories: true)
        Self.writeRaw(scratch.path + "/lessons", Array("b".utf8) + [0xFE] + Array(".json".utf8), Sheets.sample(count: 1))
        scratch.write("lessons/a.json", Sheets.sample(count: 2))
        try FileManager.default.createDirectory(atPath: scratch.path + "/bin", withIntermediateDirectories: true)
        #expect(symlink(Wsimg.binary, scratch.path + "/bin/wsimg") == 0)
        let environment = env(upstream).merging(["PATH": scratch.path + "/bin:/usr/bin:/bin"]) { $1 }
        let named = try await Wsimg.run(["-c", "wsimg generate $'lesson\\xff.json'"], in: scratch.path, environment: environment, shell: true)
        #expect(named.code == 0, "\(named.stderr)")
        #expect(named.stderr.contains("→ lesson\\xFF.json, "), "\(named.stderr)")
        let written = try Worksheet(source: Array(Self.readRaw(scratch.path, name).utf8))
        let url = try #require(written.url("0-0"))
        #expect(url.hasPrefix("lesson\u{FFFD}_images/"), "\(url)")
        #expect(scratch.exists(url))
        let folder = try await Wsimg.run(["-c", "wsimg generate lessons"], in: scratch.path, environment: environment, shell: true)
        #expect(folder.code == 0, "\(folder.stderr)")
        #expect(folder.stderr.contains("lessons/b\\xFE.json"), "\(folder.stderr)")
        #expect(try Worksheet(source: Array(Self.readRaw(scratch.path + "/lessons", Array("b".utf8) + [0xFE] + Array(".json".utf8)).utf8)).url("0-0") != nil)
        #expect(try scratch.worksheet("lessons/a.json").placeholders.allSatisfy { $0.url != nil })
    }
}
