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

/// The third hostile review, items 1–5: files outside the cache deleted, pictures swapped between
/// requests, a backup deleted, a double Ctrl-C, a write after nothing was sent. Each test failed on 0.4.0.
@Suite struct ThirdReviewDataTests {
    func env(_ upstream: FakeTogether, cache: String? = nil) -> [String: String] {
        var environment = ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
        environment["WSIMG_CACHE_DIR"] = cache
        return environment
    }

    // MARK: 1. the cache deletes only its own pictures

    /// A folder outside the cache holding files with the cache's own names, and a link to it planted as
    /// a shelf, plus a link planted as a picture.
    func plantLinks(in scratch: Scratch, cache: String) throws -> [String] {
        let outside = scratch.path + "/precious"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        // Two shelf names no picture of the run has taken.
        let shelves = (0..<256).map { String(format: "%02x", $0) }.filter { !FileManager.default.fileExists(atPath: cache + "/v1/png/" + $0) }
        let (real, planted) = (shelves[0], shelves[1])
        try FileManager.default.createDirectory(atPath: cache + "/v1/png/" + real, withIntermediateDirectories: true)
        let name = String(repeating: real, count: 32) + ".png"
        let victims = [outside + "/" + name, outside + "/" + String(repeating: planted, count: 32) + ".png", outside + "/photo.png"]
        for victim in victims {
            // Larger than the cache's 1 MiB limit below, so an eviction that counted them would delete them.
            _ = FileManager.default.createFile(atPath: victim, contents: Data(repeating: 7, count: 3 << 20))
        }
        #expect(symlink(outside, cache + "/v1/png/" + planted) == 0)
        #expect(symlink(victims[0], cache + "/v1/png/\(real)/" + name) == 0)
        return victims
    }

    @Test(arguments: IdentityTests.Form.allCases)
    func cacheCleanDeletesNothingBehindAPlantedLink(form: IdentityTests.Form) async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let cache = scratch.path + "/cache"
        scratch.write("w.json", IdentityTests.sheet(form, prompts: Array(IdentityTests.prompts.prefix(2))))
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream, cache: cache)).code == 0)
        let victims = try plantLinks(in: scratch, cache: cache)
        let shown = try await Wsimg.run(["cache"], in: scratch.path, environment: env(upstream, cache: cache))
        #expect(shown.stdout.contains("Pictures: 2"), "\(shown.stdout)")
        let clean = try await Wsimg.run(["cache", "clean"], in: scratch.path, environment: env(upstream, cache: cache))
        #expect(clean.code == 0, "\(clean.stderr)")
        #expect(clean.stdout.hasPrefix("Removed 2 pictures"), "\(clean.stdout)")
        for victim in victims { #expect(FileManager.default.fileExists(atPath: victim), "\(victim) was deleted") }
        // A fresh copy made from the emptied cache is made again, each picture its own prompt's.
        scratch.write("copy.json", scratch.read("w.json"))
        #expect(try await Wsimg.run(["generate", "copy.json", "--force"], in: scratch.path, environment: env(upstream, cache: cache)).code == 0)
        try IdentityTests().expectRightPictures(scratch, "copy.json")
    }

    @Test(arguments: IdentityTests.Form.allCases)
    func evictionAfterARunDeletesNothingBehindAPlantedLink(form: IdentityTests.Form) async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let cache = scratch.path + "/cache"
        let victims = try plantLinks(in: scratch, cache: cache)
        scratch.write("w.json", IdentityTests.sheet(form, prompts: Array(IdentityTests.prompts.prefix(2))))
        let environment = env(upstream, cache: cache).merging(["WSIMG_CACHE_SIZE": "1"]) { $1 }
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: environment)
        #expect(run.code == 0, "\(run.stderr)")
        for victim in victims { #expect(FileManager.default.fileExists(atPath: victim), "\(victim) was deleted") }
        #expect(try await Wsimg.run(["cache"], in: scratch.path, environment: environment).stdout.contains("Pictures: 2"))
        // Taken from the cache by a copy elsewhere (its links lead nowhere there): each picture its own prompt's.
        try FileManager.default.createDirectory(atPath: scratch.path + "/other", withIntermediateDirectories: true)
        scratch.write("other/copy.json", scratch.read("w.json"))
        let copy = try await Wsimg.run(["generate", "other/copy.json"], in: scratch.path, environment: environment)
        #expect(copy.stderr.contains("(2 from the cache)"), "\(copy.stderr)")
        try IdentityTests().expectRightPictures(scratch, "other/copy.json")
    }

    @Test func cacheCommandsRefuseAFolderOthersCanWrite() async throws {
        let scratch = try Scratch()
        let cache = scratch.path + "/cache"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        #expect(chmod(cache, 0o777) == 0)
        for arguments in [["cache"], ["cache", "clean"]] {
            let run = try await Wsimg.run(arguments, in: scratch.path, environment: ["WSIMG_CACHE_DIR": cache])
            #expect(run.code == 2, "\(arguments): \(run.stdout)")
            #expect(run.stderr.contains("others can write to it"), "\(run.stderr)")
        }
    }

    // MARK: 2. remote batches: each answer goes to the request it answers

    /// Runs `names` (written as in `sheets`) through the route in one run, then each alone in a folder of
    /// its own (its own cache), and compares every stored picture with the one made alone.
    func expectSamePicturesAsAlone(_ sheets: [String: String], form: IdentityTests.Form, arguments: [String] = []) async throws {
        let route = try FakeBatchRoute(images: { _, _ in .png })
        defer { route.stop() }
        let scratch = try Scratch()
        for (name, text) in sheets { scratch.write(name, text) }
        let names = sheets.keys.sorted()
        let environment = ["WSIMG_ENDPOINT": route.url]
        let together = try await Wsimg.run(["generate"] + names + ["--backoff", "0"] + arguments, in: scratch.path, environment: environment)
        #expect(together.code == 0, "\(together.stderr)")
        #expect(route.batches.count == 1, "the run fits in one batch")
        for name in names {
            let alone = try Scratch()
            alone.write(name, sheets[name]!)
            let run = try await Wsimg.run(["generate", name, "--backoff", "0"], in: alone.path, environment: environment)
            #expect(run.code == 0, "\(run.stderr)")
            let mine = try scratch.worksheet(name)
            let theirs = try alone.worksheet(name)
            #expect(mine.placeholders.count == theirs.placeholders.count)
            for (placeholder, reference) in zip(mine.placeholders, theirs.placeholders) {
                let url = try #require(mine.link(placeholder))
                let expected = try #require(theirs.link(reference))
                let same = scratch.bytes(url) == alone.bytes(expected)
                #expect(same, "\(form) \(name) \(placeholder.id) holds another request's picture")
            }
            // A later run of it alone takes nothing poisoned from the cache.
            let again = try await Wsimg.run(["generate", name, "--force", "--backoff", "0"], in: scratch.path, environment: environment)
            #expect(again.code == 0, "\(again.stderr)")
            let redone = try scratch.worksheet(name)
            for (placeholder, reference) in zip(redone.placeholders, theirs.placeholders) {
                let same = scratch.bytes(try #require(redone.link(placeholder))) == alone.bytes(try #require(theirs.link(reference)))
                #expect(same, "\(form) \(name) \(placeholder.id): another request's picture from the cache")
            }
        }
    }

    static func lesson(_ form: IdentityTests.Form, topic: String) -> String {
        // Two pictures each: three worksheets, or one with three variants each, fit in one batch of 8.
        IdentityTests.sheet(form, prompts: ["\(topic): a cat", "\(topic): an owl"])
    }

    @Test(arguments: IdentityTests.Form.allCases)
    func severalWorksheetsInOneRemoteRunKeepTheirOwnPictures(form: IdentityTests.Form) async throws {
        try await expectSamePicturesAsAlone(
            ["a.json": Self.lesson(form, topic: "Autumn"), "b.json": Self.lesson(form, topic: "Winter"), "c.json": Self.lesson(form, topic: "Spring")],
            form: form)
    }

    /// Each paid variant is a picture of its own: the route makes a new one per request.
    @Test(arguments: IdentityTests.Form.allCases)
    func remoteVariantsAreDistinctPictures(form: IdentityTests.Form) async throws {
        let route = try FakeBatchRoute(images: { _, _ in .freshPNG })
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Self.lesson(form, topic: "Autumn"))
        let run = try await Wsimg.run(["generate", "w.json", "--variants", "3", "--backoff", "0"], in: scratch.path, environment: ["WSIMG_ENDPOINT": route.url])
        #expect(run.code == 0, "\(run.stderr)")
        #expect(route.batches.map(\.count) == [6])
        let pictures = scratch.files(in: "w_images").filter { $0.hasSuffix(".png") }
        #expect(pictures.count == 6, "\(pictures)")
        #expect(Set(pictures.map { PNGPixels.data(scratch.bytes("w_images/" + $0)) }).count == 6, "variants are copies of one picture")
    }

    // MARK: 3. a kept backup stays kept

    @Test func aStaleBackupThatIsSaidToBeKeptIsKept() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        #expect(link(scratch.path + "/w.json", scratch.path + "/partner.json") == 0)
        let stale = "{\"pages\": [], \"note\": \"an older version the teacher wants\"}"
        scratch.write(".w.json.wsimg-backup", stale)
        let run = try await Wsimg.run(["generate", "w.json", "--hard-links", "update"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("is kept"), "\(run.stderr)")
        #expect(scratch.read(".w.json.wsimg-backup") == stale)
        #expect(!scratch.exists(".w.json.wsimg-backup.1"), "the run's own backup is left behind")
        let sheet = try scratch.worksheet("partner.json")
        #expect(sheet.placeholders.allSatisfy { sheet.link($0) != nil })
    }

    // MARK: 4. a double Ctrl-C

    /// Two SIGINTs at once (a double-tapped key, `timeout -s INT` to a process group): the clean stop
    /// the first one starts still links the finished picture and writes the report and closing line.
    @Test func twoInterruptionsAtOnceStillStopCleanly() async throws {
        let scratch = try Scratch()
        let (upstream, started) = try await InterruptTests.startHeldAtTheSecondPicture(scratch, extra: ["--report", "r.json"])
        defer { upstream.stop() }
        kill(started.process.processIdentifier, SIGINT)
        kill(started.process.processIdentifier, SIGINT)
        let run = await Wsimg.finish(started)
        #expect(run.code == 130)
        #expect(run.stderr.contains("Interrupted: 1 new, 0 already present, 0 failed, 2 not generated → w.json, w_images/"), "\(run.stderr)")
        #expect(try scratch.worksheet("w.json").placeholders.filter { $0.url != nil }.count == 1)
        let report = try JSONParser.parse(scratch.bytes("r.json"))
        #expect(report["interrupted"]?.value == .bool(true), "\(scratch.read("r.json"))")
    }

    // MARK: 5. exit 2 writes nothing

    /// A service that cannot be reached (a port that refuses): exit 2, and neither the `-o` copy nor
    /// its images folder exists, so make does not take the target as up to date.
    @Test func exit2AfterNothingWasSentWritesNothing() async throws {
        let refusing = try RefusingPort()
        let unreachable = ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": refusing.baseURL]
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json", "-o", "out.json", "--retries", "0"], in: scratch.path, environment: unreachable)
        #expect(run.code == 2, "\(run.stderr)")
        #expect(!scratch.exists("out.json"))
        #expect(!scratch.exists("out_images"), "\(scratch.files(in: "."))")
        #expect(!run.stderr.contains("out_images/"), "\(run.stderr)")
        #expect(run.stderr.contains("nothing written"), "\(run.stderr)")
        // Running it again cannot help until the host is reachable (item 13).
        #expect(!run.stderr.contains("run the same command"), "\(run.stderr)")
        // An images folder that was there before is left as it was.
        try FileManager.default.createDirectory(atPath: scratch.path + "/out_images", withIntermediateDirectories: true)
        let again = try await Wsimg.run(["generate", "w.json", "-o", "out.json", "--retries", "0"], in: scratch.path, environment: unreachable)
        #expect(again.code == 2)
        #expect(scratch.exists("out_images") && !scratch.exists("out.json"))
    }
}
