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

/// The second hostile review, items 2 and 10–21: runs of several worksheets, hangs and crashes, and
/// the smaller ones. Each test failed on 0.3.0.
@Suite struct SecondReviewRunTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    // MARK: 2, 11. what a run writes

    @Test func aReportNamingOneOfTheWorksheetsIsRefusedBeforeAnyRequest() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("a.json", Sheets.sample(count: 1))
        let b = Sheets.sample(count: 2)
        scratch.write("b.json", b)
        let run = try await Wsimg.run(["generate", "a.json", "b.json", "--report", "b.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 2)
        #expect(run.stderr.contains("--report b.json names the worksheet itself (b.json)"), "\(run.stderr)")
        #expect(scratch.read("b.json") == b)
        #expect(upstream.requestCount == 0)
    }

    @Test func twoWorksheetsWithOneOutputAreRefusedBeforeAnyRequest() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/b", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/out", withIntermediateDirectories: true)
        scratch.write("a/x.json", Sheets.sample(count: 1))
        scratch.write("b/x.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "a/x.json", "b/x.json", "--output-dir", "out"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 2)
        #expect(run.stderr.contains("a/x.json and b/x.json would both be written to out/x.json"), "\(run.stderr)")
        #expect(!scratch.exists("out/x.json"))
        #expect(upstream.requestCount == 0)
    }

    // MARK: 10. locks

    @Test func theSameWorksheetTwiceIsTakenOnce() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/lessons", withIntermediateDirectories: true)
        scratch.write("lessons/w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(
            ["generate", "lessons/w.json", "lessons/w.json", "lessons", "--deadline", "60"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 2)
        #expect(run.stderr.contains("named already: taken once"))
        #expect(!run.stderr.contains("waiting for another wsimg run"))
    }

    /// Locks are taken in one order whatever the command line's: while this run waits for a's folder
    /// (held here, as another run would), it holds nothing, so a run taking them as `a b` cannot be
    /// waiting for it in turn.
    @Test func locksAreTakenInOneOrder() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("a.json", Sheets.sample(count: 1))
        scratch.write("b.json", Sheets.sample(count: 2))
        for name in ["a_images", "b_images"] { try FileManager.default.createDirectory(atPath: scratch.path + "/" + name, withIntermediateDirectories: true) }
        let held = open(scratch.path + "/a_images/.wsimg.lock", O_RDWR | O_CREAT, 0o644)
        #expect(flock(held, LOCK_EX) == 0)
        let started = try Wsimg.start(["generate", "b.json", "a.json"], in: scratch.path, environment: env(upstream))
        #expect(await said("waiting for another wsimg run", in: started))
        let other = open(scratch.path + "/b_images/.wsimg.lock", O_RDWR | O_CREAT, 0o644)
        #expect(flock(other, LOCK_EX | LOCK_NB) == 0, "b's folder is held while a's is awaited")
        close(other)
        close(held)
        let run = await Wsimg.finish(started)
        #expect(run.code == 0, "\(run.stderr)")
        // a's one picture is b's first too: asked for once.
        #expect(upstream.requestCount == 2)
        #expect(try scratch.worksheet("a.json").placeholders.compactMap(\.url).count == 1)
        #expect(try scratch.worksheet("b.json").placeholders.compactMap(\.url).count == 2)
    }

    /// Reads the run's stderr until `text` appears (the run says it and then waits) or it exits.
    func said(_ text: String, in started: Wsimg.Started) async -> Bool {
        for _ in 0..<2000 {
            if let log = FileManager.default.contents(atPath: started.stderrPath), String(decoding: log, as: UTF8.self).contains(text) { return true }
            if !started.process.isRunning { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    // MARK: 12. many worksheets

    @Test func aFolderOfMoreWorksheetsThanOpenFilesAllowed() async throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/many", withIntermediateDirectories: true)
        for index in 0..<120 {
            scratch.write("many/w\(index).json", #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"picture \#(index)","width":256,"height":256}}]}]}"#)
        }
        let run = try await Wsimg.run(
            ["-c", "ulimit -n 64 && exec \"$0\" generate many --provider placeholder --no-progress", Wsimg.binary], in: scratch.path,
            shell: true)
        #expect(run.code == 0, "\(run.stderr.suffix(600))")
        #expect(!run.stderr.contains("Too many open files"))
        for index in [0, 63, 119] {
            #expect(try scratch.worksheet("many/w\(index).json").placeholders.first?.url != nil)
        }
    }

    // MARK: 13. the pace state is untrusted

    func paceFile(_ upstream: FakeTogether, runtime: String) throws -> String {
        try FileManager.default.createDirectory(atPath: runtime + "/wsimg/pace", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return runtime + "/wsimg/pace/" + (try upstream.paceStateName())
    }

    @Test func paceStateFromAClockThatRanAheadIsForgotten() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let now = Date().timeIntervalSince1970
        let year = now + 365 * 86_400
        let state = "v1\ntat \(year)\ninterval 1e30\npenalty 1e30\nslowdown \(year)\nprobe 0\nupdated \(year)\nstarts \(year)\nrefused \n"
        let path = try paceFile(upstream, runtime: scratch.path + "/run")
        _ = FileManager.default.createFile(atPath: path, contents: Data(state.utf8), attributes: [.posixPermissions: 0o600])
        let run = try await Wsimg.run(
            ["generate", "w.json", "--deadline", "60"], in: scratch.path, environment: env(upstream).merging(["XDG_RUNTIME_DIR": scratch.path + "/run"]) { $1 })
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 2)
    }

    @Test func aSharedWaitLongerThanMaxWaitStopsTheRunAndSaysWhy() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let now = Date().timeIntervalSince1970
        let state = "v1\ntat \(now + 120)\ninterval 5\npenalty \(now + 120)\nslowdown \(now)\nprobe \(now)\nupdated \(now)\nstarts \nrefused \n"
        let path = try paceFile(upstream, runtime: scratch.path + "/run")
        _ = FileManager.default.createFile(atPath: path, contents: Data(state.utf8), attributes: [.posixPermissions: 0o600])
        let run = try await Wsimg.run(
            ["generate", "w.json", "--max-wait", "2", "--deadline", "60"], in: scratch.path,
            environment: env(upstream).merging(["XDG_RUNTIME_DIR": scratch.path + "/run"]) { $1 })
        #expect(run.code == 1, "\(run.stderr)")
        // The state says the service asked to wait; no run of this user's is said to be the cause (review 3, item 13).
        #expect(run.stderr.contains("the shared pace (the service's request to wait) would hold the next request "), "\(run.stderr)")
        #expect(upstream.requestCount == 0)
    }

    // MARK: 14. large answers

    @Test func aLargeAnswerIsReadWithoutKeepingWhatIsSkipped() async throws {
        // Small enough for a debug build's scanner; the memory of a 60 MiB answer is measured by `make bench`.
        let upstream = try FakeTogether { index, _ in index == 0 ? .hugeErrorBody(4 << 20) : .padded(4 << 20) }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(["generate", "w.json", "-v", "--no-cache"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("server error 500"))
        #expect(upstream.requestCount == 2)
        #expect(try scratch.worksheet("w.json").url("0-0") != nil)
    }

    /// Under an address-space limit of 700 MB, a 12 MiB answer of zeros beside the picture is read:
    /// 0.3.0 kept it and built a tree of it (hundreds of megabytes), and ran out.
    @Test func whatAnAnswerCarriesBesideThePictureCostsNoMemory() async throws {
        let upstream = try FakeTogether { _, _ in .padded(12 << 20) }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(
            ["-c", "ulimit -v 700000 && exec \"$0\" generate w.json --no-cache --retries 0 -j 1", Wsimg.binary], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL], shell: true)
        #expect(run.code == 0, "\(run.stderr.suffix(400))")
        #expect(try scratch.worksheet("w.json").url("0-0") != nil)
    }

    // MARK: 15–18. smaller ones

    @Test func anOutOfRangeCacheSizeIsRefused() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        for value in ["9000000000000", "-5", "lots"] {
            let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream).merging(["WSIMG_CACHE_SIZE": value]) { $1 })
            #expect(run.code == 2)
            #expect(run.stderr.contains("WSIMG_CACHE_SIZE=\(value) cannot be used"), "\(run.stderr)")
        }
        #expect(upstream.requestCount == 0)
    }

    @Test func quietStillPrintsAStopOfTheRun() async throws {
        let upstream = try FakeTogether { _, _ in .status(401, body: #"{"error":{"message":"Invalid API key"}}"#) }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let run = try await Wsimg.run(["generate", "w.json", "-q"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 2)
        #expect(run.stderr.contains("the API key was refused (401)"), "\(run.stderr)")
    }

    @Test func previewNeverReplacesTheWorksheetNorInlinesFilesFromElsewhere() async throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/private", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/lesson/w_images", withIntermediateDirectories: true)
        let secret = TestPictures.png(width: 256, height: 256, kind: TestPictures.Kind(colorType: .rgb, bitDepth: 8, interlaced: false), noise: Array("secret".utf8))
        try Data(secret).write(to: URL(fileURLWithPath: scratch.path + "/private/photo.png"))
        try Data(secret).write(to: URL(fileURLWithPath: scratch.path + "/lesson/w_images/own.png"))
        #expect(symlink("../../private/photo.png", scratch.path + "/lesson/w_images/sneaky.png") == 0)
        let urls = ["../private/photo.png", scratch.path + "/private/photo.png", "w_images/sneaky.png", "w_images/own.png"]
        let elements = urls.map { #"{"type":"image-placeholder","properties":{"imagePrompt":"p","width":256,"height":256,"url":\#(JSONWriter.quoted($0))}}"# }
        let sheet = #"{"pages":[{"elements":[\#(elements.joined(separator: ","))]}]}"#
        scratch.write("lesson/w.json", sheet)
        let refused = try await Wsimg.run(["preview", "lesson/w.json", "-o", "lesson/w.json"], in: scratch.path)
        #expect(refused.code == 2)
        #expect(scratch.read("lesson/w.json") == sheet)
        let run = try await Wsimg.run(["preview", "lesson/w.json", "-o", "-"], in: scratch.path)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stdout.components(separatedBy: Base64.encode(secret)).count - 1 == 1)
        #expect(run.stdout.contains("private/photo.png is not in the worksheet"))
        #expect(run.stdout.contains("w_images/sneaky.png is not in the worksheet"))
    }

    // MARK: 19. a lone surrogate

    @Test func aCaptionCutInTheMiddleOfAnEmojiIsAccepted() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let sheet = #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"a cat","caption":"Кіт \uD83E","width":256,"height":256}},{"type":"text","properties":{"text":"end \uDD16"}}]}]}"#
        scratch.write("w.json", sheet)
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("element 0-0's caption holds half of an emoji"), "\(run.stderr)")
        let written = scratch.read("w.json")
        #expect(written.contains(#""caption":"Кіт \uD83E""#) && written.contains(#"end \uDD16"#))
        #expect(try scratch.worksheet("w.json").url("0-0") != nil)
    }

    // MARK: 20. the cache and the API's address

    @Test func aPictureFromAnotherAPIIsNotServedFromTheCache() async throws {
        let first = try FakeTogether()
        defer { first.stop() }
        let second = try FakeTogether()
        defer { second.stop() }
        let scratch = try Scratch()
        let original = Sheets.sample(count: 2)
        scratch.write("w.json", original)
        let cache = ["WSIMG_CACHE_DIR": scratch.path + "/cache"]
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(first).merging(cache) { $1 }).code == 0)
        try FileManager.default.removeItem(atPath: scratch.path + "/w_images")
        scratch.write("w.json", original)
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(second).merging(cache) { $1 })
        #expect(run.code == 0, "\(run.stderr)")
        #expect(second.requestCount == 2)
    }

    // MARK: 21. folders, summaries, huge pictures

    @Test func reportsAndOtherJSONInAFolderAreSkippedWithANote() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/lessons", withIntermediateDirectories: true)
        scratch.write("lessons/a.json", Sheets.sample(count: 1))
        scratch.write("lessons/b.json", Sheets.sample(count: 2))
        scratch.write("lessons/package.json", #"{"name":"x","version":"1.0.0"}"#)
        let first = try await Wsimg.run(["generate", "lessons", "--no-progress", "--report", "lessons/report.json"], in: scratch.path, environment: env(upstream))
        #expect(first.code == 0, "\(first.stderr)")
        #expect(first.stderr.contains("skipping lessons/package.json: this is not a worksheet"), "\(first.stderr)")
        // One closing line per worksheet, then the total: real lines, not a caret-J.
        #expect(!first.stderr.contains("^J"))
        #expect(first.stderr.contains("Total for 2 worksheets: 3 new, 0 already present, 0 failed"), "\(first.stderr)")
        let again = try await Wsimg.run(["generate", "lessons", "--no-progress"], in: scratch.path, environment: env(upstream))
        #expect(again.code == 0, "\(again.stderr)")
        #expect(again.stderr.contains("skipping lessons/report.json: it is a wsimg report"), "\(again.stderr)")
        // a's one picture is b's first too: asked for once.
        #expect(upstream.requestCount == 2)
    }

    @Test func aHugePictureIsNotDecoded() async throws {
        let scratch = try Scratch()
        // An 8192² 16-bit RGBA PNG would take 512 MiB to decode: its header alone says so.
        var header = [UInt8](repeating: 0, count: 13)
        header[0...3] = [0, 0, 0x20, 0]
        header[4...7] = [0, 0, 0x20, 0]
        header[8] = 16
        header[9] = 6
        let png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + CRC32.pngChunk("IHDR", header) + CRC32.pngChunk("IDAT", [0x78, 0x9C]) + CRC32.pngChunk("IEND", [])
        try Data(png).write(to: URL(fileURLWithPath: scratch.path + "/huge.png"))
        let run = try await Wsimg.run(["validate", "huge.png"], in: scratch.path)
        #expect(run.code == 1)
        #expect(run.stdout.contains("8192×8192, larger than any picture wsimg makes"), "\(run.stdout)")
    }
}
