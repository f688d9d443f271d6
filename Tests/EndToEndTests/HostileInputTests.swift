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

/// The defects a hostile review found, each as the attacker or careless user met it.
@Suite struct HostileInputTests {
    func env(_ upstream: FakeTogether, key: String = Wsimg.secret) -> [String: String] {
        ["TOGETHER_API_KEY": key, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    // MARK: 2. edits made during a run

    /// The first request waits until the test has edited the worksheet; the run then ends normally.
    func runWhileEditing(_ edit: @escaping (Scratch) -> Void) async throws -> (Wsimg.Run, Scratch, FakeTogether) {
        let arrived = DispatchSemaphore(value: 0)
        let edited = DispatchSemaphore(value: 0)
        let upstream = try FakeTogether { index, _ in
            if index == 0 {
                arrived.signal()
                edited.wait()
            }
            return .none
        }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let started = try Wsimg.start(["generate", "w.json", "-j", "1"], in: scratch.path, environment: env(upstream))
        await arrived.waitWithoutBlocking()
        edit(scratch)
        edited.signal()
        return (await Wsimg.finish(started), scratch, upstream)
    }

    @Test func anEditDuringTheRunIsKeptAndLinked() async throws {
        let (run, scratch, upstream) = try await runWhileEditing { scratch in
            scratch.write("w.json", Sheets.sample(count: 2).replacingOccurrences(of: "\"title\": \"Тест\"", with: "\"title\": \"Edited\""))
        }
        defer { upstream.stop() }
        #expect(run.code == 0, "\(run.stderr)")
        #expect(scratch.read("w.json").contains("\"title\": \"Edited\""))
        #expect(try scratch.worksheet("w.json").placeholders.compactMap(\.url).count == 2)
        #expect(run.stderr.contains("edited during the run"))
    }

    @Test func anEditOfTheImagesDuringTheRunWritesNothing() async throws {
        let (run, scratch, upstream) = try await runWhileEditing { scratch in
            scratch.write("w.json", Sheets.sample(count: 2).replacingOccurrences(of: "Friendly dinosaur", with: "Sleepy dinosaur"))
        }
        defer { upstream.stop() }
        #expect(run.code == 1)
        #expect(scratch.read("w.json").contains("Sleepy dinosaur"))
        #expect(try scratch.worksheet("w.json").placeholders.compactMap(\.url).isEmpty)
        #expect(scratch.files(in: "w_images").count == 2)
        #expect(run.stderr.contains("was changed while wsimg ran"))
    }

    // MARK: 3. permissions and links

    @Test func inPlaceUpdatesKeepModeOwnerAndLinks() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("real.json", Sheets.sample(count: 1))
        #expect(chmod(scratch.path + "/real.json", 0o600) == 0)
        if getuid() == 0 { #expect(chown(scratch.path + "/real.json", 4321, 8765) == 0) }
        #expect(symlink("real.json", scratch.path + "/w.json") == 0)
        #expect(link(scratch.path + "/real.json", scratch.path + "/partner.json") == 0)
        // A hard-linked worksheet is refused unless the user says how to treat its other names.
        let refused = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(refused.code == 2 && refused.stderr.contains("it has 2 hard links"), "\(refused.stderr)")
        #expect(upstream.requestCount == 0)
        let run = try await Wsimg.run(["generate", "w.json", "--hard-links", "update"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(!scratch.exists(".real.json.wsimg-backup"))
        var info = stat()
        #expect(lstat(scratch.path + "/w.json", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        #expect(mode(scratch.path + "/real.json") == 0o600)
        if getuid() == 0 {
            #expect(stat(scratch.path + "/real.json", &info) == 0 && info.st_uid == 4321 && info.st_gid == 8765)
        }
        #expect(try scratch.worksheet("real.json").url("0-0") != nil)
        #expect(scratch.read("partner.json") == scratch.read("real.json"))
        // New files follow the umask like any program's.
        let picture = try #require(scratch.files(in: "w_images").first)
        #expect(mode(scratch.path + "/w_images/" + picture) == 0o644)
    }

    @Test func aReadOnlyWorksheetIsRefusedBeforeAnyRequest() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        #expect(chmod(scratch.path + "/w.json", 0o444) == 0)
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 2)
        #expect(run.stderr.contains("w.json: it is read-only"))
        #expect(upstream.requestCount == 0)
    }

    // MARK: 4. secrets

    @Test func aKeyFileGivesItsFirstLineOnlyAndWarnsWhenOthersCanReadIt() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        scratch.write("key", "  \(Wsimg.secret)  \nOTHER_SECRET=hunter2\n")
        #expect(chmod(scratch.path + "/key", 0o644) == 0)
        let run = try await Wsimg.run(
            ["generate", "w.json"], in: scratch.path,
            environment: ["TOGETHER_API_KEY_FILE": scratch.path + "/key", "TOGETHER_BASE_URL": upstream.baseURL])
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requests.first?.authorization == "Bearer \(Wsimg.secret)")
        #expect(run.stderr.contains("can be read by other users; run: chmod 600"))
        #expect(!run.stderr.contains("hunter2"))
    }

    @Test(arguments: [
        ("TOGETHER_API_KEY", "sk-abc\r\nX-Injected: 1", "control characters"),
        ("TOGETHER_API_KEY", "sk-abc def", "contains spaces"),
        ("TOGETHER_API_KEY", "TOGETHER_API_KEY=sk-abcdef", "NAME=value"),
        ("WSIMG_ENDPOINT_TOKEN", "tok\nen", "control characters"),
    ])
    func keysThatWouldBreakTheHeaderAreRefused(variable: String, value: String, reason: String) async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let route = try FakeBatchRoute()
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        var environment = env(upstream, key: "sk-valid-key")
        if variable == "WSIMG_ENDPOINT_TOKEN" { environment["WSIMG_ENDPOINT"] = route.url }
        environment[variable] = value
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: environment)
        #expect(run.code == 2)
        #expect(run.stderr.contains(variable) && run.stderr.contains(reason))
        #expect(!run.stderr.contains("abcdef") && !run.stderr.contains("X-Injected"))
        #expect(upstream.requestCount == 0 && route.requestCount == 0)
    }

    @Test func echoedKeysAreRedactedInEveryCaseAndPlace() async throws {
        let upstream = try FakeTogether { index, _ in
            index % 2 == 0
                ? .status(400, body: #"{"error":{"message":"bad header BEARER \#(Wsimg.secret.uppercased())"}}"#)
                : .status(500, body: "<html>Authorization: Bearer \(Wsimg.secret)</html>", headers: ["Content-Type": "text/html"])
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(
            ["generate", "w.json", "-v", "--retries", "0", "--report", "r.json"], in: scratch.path,
            environment: env(upstream))
        #expect(run.code == 1)
        for text in [run.stderr, scratch.read("r.json")] {
            #expect(!text.lowercased().contains(Wsimg.secret.lowercased()))
        }
        #expect(run.stderr.contains("[redacted]"))
    }

    // MARK: 5. terminal escapes and forged lines

    @Test func textFromOutsideCannotDriveTheTerminal() async throws {
        let upstream = try FakeTogether { _, _ in .status(400, body: #"{"error":{"message":"\u001b]0;owned\u0007\u001b[2J nope"}}"#) }
        defer { upstream.stop() }
        let scratch = try Scratch()
        let hostile = "Cat\u{1b}[2J\n[9/9] 0-9 ok\u{202e}gnp.exe"
        scratch.write("w.json", #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":\#(JSONWriter.quoted(hostile)),"caption":\#(JSONWriter.quoted(hostile))}}]}]}"#)
        let generate = try await Wsimg.run(["generate", "w.json", "-v"], in: scratch.path, environment: env(upstream))
        let prompts = try await Wsimg.run(["prompts", "w.json"], in: scratch.path)
        let dryRun = try await Wsimg.run(["generate", "w.json", "--dry-run"], in: scratch.path, environment: env(upstream))
        for output in [generate.stderr, prompts.stdout, dryRun.stdout] {
            #expect(!output.contains("\u{1b}") && !output.contains("\u{07}") && !output.contains("\u{202e}"))
            #expect(!output.split(separator: "\n").contains { $0.hasPrefix("[9/9]") })
        }
        #expect(generate.stderr.contains("^[]0;owned^G^[[2J nope"))
        #expect(prompts.stdout.contains("Cat^[[2J^J[9/9] 0-9 ok<U+202E>gnp.exe"))
    }

    // MARK: 6. -o into another folder

    @Test func linksResolveFromWhereverTheWorksheetIsWritten() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3).replacingOccurrences(of: #""fontSize": 18.0}}"#, with: #""fontSize": 18.0, "url": "art/logo.png"}}"#))
        try FileManager.default.createDirectory(atPath: scratch.path + "/art", withIntermediateDirectories: true)
        scratch.write("art/logo.png", "not checked")
        try FileManager.default.createDirectory(atPath: scratch.path + "/build", withIntermediateDirectories: true)
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        let run = try await Wsimg.run(["generate", "w.json", "-o", "build/out.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 3)
        let validate = try await Wsimg.run(["validate", "--worksheet", "build/out.json"], in: scratch.path)
        #expect(validate.code == 0, "\(validate.stdout)")
        #expect(try scratch.worksheet("build/out.json").url("0-0")?.hasPrefix("../w_images/0-0-") == true)
    }

    // MARK: 7. output problems found before paying

    @Test(arguments: [
        (["-o", "build"], "it is a folder"),
        (["--report", "w.json"], "names the worksheet itself"),
    ])
    func outputProblemsAreFoundBeforeAnyRequest(arguments: [String], message: String) async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let before = scratch.bytes("w.json")
        try FileManager.default.createDirectory(atPath: scratch.path + "/build", withIntermediateDirectories: true)
        let run = try await Wsimg.run(["generate", "w.json"] + arguments, in: scratch.path, environment: env(upstream))
        #expect(run.code == 2)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(upstream.requestCount == 0)
        #expect(scratch.bytes("w.json") == before)
        // The same with nothing to generate.
        scratch.write("empty.json", #"{"pages":[]}"#)
        let nothing = try await Wsimg.run(
            ["generate", "empty.json"] + arguments.map { $0 == "w.json" ? "empty.json" : $0 },
            in: scratch.path, environment: env(upstream))
        #expect(nothing.code == 2)
    }

    // MARK: 8. signals and special files

    @Test(.timeLimit(.minutes(1))) func fifosAndDevicesNeverBlock() async throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/imgs", withIntermediateDirectories: true)
        #expect(mkfifo(scratch.path + "/imgs/trap.png", 0o644) == 0)
        #expect(mkfifo(scratch.path + "/w.json", 0o644) == 0)
        let validate = try await Wsimg.run(["validate", "imgs", "/dev/zero"], in: scratch.path)
        #expect(validate.code == 1)
        #expect(validate.stdout.contains("trap.png: not a PNG image (cannot be read: it is not a regular file (a FIFO))"))
        #expect(validate.stdout.contains("/dev/zero: not a PNG image (cannot be read: it is not a regular file (a device))"))
        let prompts = try await Wsimg.run(["prompts", "w.json"], in: scratch.path)
        #expect(prompts.code == 2)
        #expect(prompts.stderr.contains("cannot read worksheet w.json: it is not a regular file (a FIFO)"))
        let devNull = try await Wsimg.run(["prompts", "/dev/null"], in: scratch.path)
        #expect(devNull.stderr.contains("it is not a regular file (a device)"))
    }

    /// `validate` and `prompts` blocked writing to a pipe nobody reads: one SIGTERM ends them.
    @Test(.timeLimit(.minutes(1)), arguments: ["validate", "prompts"])
    func oneSignalStopsCommandsThatHaveNothingToSave(command: String) async throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/bad", withIntermediateDirectories: true)
        for index in 0..<1500 { scratch.write("bad/\(index)-not-a-real-picture-but-text.png", "x") }
        scratch.write("w.json", Sheets.sample(count: 1500))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Wsimg.binary)
        process.arguments = command == "validate" ? ["validate", "bad"] : ["prompts", "w.json"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let exited = try Wsimg.launch(process)
        // Its first output means it is running (signal handlers installed); then nobody reads on.
        #expect(output.fileHandleForReading.readData(ofLength: 1).count == 1)
        kill(process.processIdentifier, SIGTERM)
        let code = await exited.value
        #expect(code == 130)
    }

    @Test func aBrokenStderrPipeStopsCleanly() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Wsimg.binary)
        process.arguments = ["generate", "w.json", "--report", "r.json"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        process.environment = env(upstream)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try errors.fileHandleForReading.close()
        let exited = try Wsimg.launch(process)
        let code = await exited.value
        #expect(code == 130)
        #expect(scratch.read("r.json").contains("\"interrupted\": true"))
        _ = try scratch.worksheet("w.json")
    }

    // MARK: 9. temporary files of live writers

    @Test func aLiveWritersTemporaryFileIsLeftAlone() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        try FileManager.default.createDirectory(atPath: scratch.path + "/w_images", withIntermediateDirectories: true)
        // A writer in another PID namespace: its pid means nothing here, its lock does.
        scratch.write("w_images/.wsimg-4194305-live00.tmp", "in progress")
        scratch.write("w_images/.wsimg-\(getpid())-dead00.tmp", "left over")
        let held = open(scratch.path + "/w_images/.wsimg-4194305-live00.tmp", O_RDWR)
        defer { close(held) }
        #expect(flock(held, LOCK_EX) == 0)
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(scratch.exists("w_images/.wsimg-4194305-live00.tmp"))
        #expect(!scratch.exists("w_images/.wsimg-\(getpid())-dead00.tmp"))
    }

    // MARK: 10. messages that mislead

    @Test(arguments: [
        (#"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"x","width":1e400}}]}]}"#, "width is too large"),
        (#"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"x","width":-5}}]}]}"#, "width must not be negative"),
    ])
    func sizesAreDescribedAccurately(sheet: String, message: String) async throws {
        let scratch = try Scratch()
        scratch.write("w.json", sheet)
        let run = try await Wsimg.run(["prompts", "w.json"], in: scratch.path)
        #expect(run.stdout.contains(message))
    }

    @Test(arguments: [
        (FakeTogether.Fault.status(302, body: "", headers: ["Location": "https://elsewhere.example/v1?sig=abc"]), "redirect (302 to https://elsewhere.example/v1?…)"),
        (.status(307, body: ""), "does not follow redirects"),
    ])
    func redirectsAreExplainedNotRetried(fault: FakeTogether.Fault, message: String) async throws {
        let upstream = try FakeTogether { _, _ in fault }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 2)
        #expect(upstream.requestCount == 1)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test func emptyAnswersAndEndlessHeadersAreNamed() async throws {
        let upstream = try FakeTogether { index, _ in
            index == 0 ? .status(200, body: "") : .status(200, body: "{}", headers: ["X-Long": String(repeating: "a", count: 300_000)])
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(["generate", "w.json", "-v", "--retries", "1", "--backoff", "0"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 1)
        #expect(run.stderr.contains("the server sent an empty answer"))
        #expect(run.stderr.contains("header line longer than curl accepts"))
        #expect(!run.stderr.contains("Out of memory") && !run.stderr.contains("file is empty"))
    }
}
