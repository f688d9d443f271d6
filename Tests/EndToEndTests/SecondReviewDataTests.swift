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

/// The second hostile review, items 1–9: data lost or destroyed, planted links, paid requests thrown
/// away. Each test failed on 0.3.0.
@Suite struct SecondReviewDataTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    // MARK: 1. hard links

    @Test func breakingHardLinksUpdatesOnlyThisName() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let original = Sheets.sample(count: 1)
        scratch.write("w.json", original)
        #expect(link(scratch.path + "/w.json", scratch.path + "/partner.json") == 0)
        let run = try await Wsimg.run(["generate", "w.json", "--hard-links", "break"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(try scratch.worksheet("w.json").url("0-0") != nil)
        #expect(scratch.read("partner.json") == original)
    }

    /// What a kill during the in-place copy leaves (the worksheet cut short, the backup whole) is
    /// repaired by the next run, which then has nothing to do.
    @Test func theNextRunRestoresAWorksheetCutShortByAKill() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        #expect(link(scratch.path + "/w.json", scratch.path + "/partner.json") == 0)
        let first = try await Wsimg.run(["generate", "w.json", "--hard-links", "update"], in: scratch.path, environment: env(upstream))
        #expect(first.code == 0, "\(first.stderr)")
        let whole = scratch.bytes("w.json")
        scratch.write(".w.json.wsimg-backup", String(decoding: whole, as: UTF8.self))
        #expect(truncate(scratch.path + "/w.json", off_t(whole.count / 3)) == 0)
        let prompts = try await Wsimg.run(["prompts", "w.json"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(prompts.code == 0, "\(prompts.stderr)")
        #expect(prompts.stderr.contains("restored it from"))
        #expect(scratch.bytes("w.json") == whole && scratch.bytes("partner.json") == whole)
        #expect(!scratch.exists(".w.json.wsimg-backup"))
        // A backup that does not match the worksheet (edited since) is kept, and said to be.
        scratch.write(".w.json.wsimg-backup", "{\"pages\": []}")
        let again = try await Wsimg.run(["prompts", "w.json"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(again.stderr.contains("is kept"))
        #expect(scratch.bytes("w.json") == whole)
    }

    // MARK: 3–4. planted links

    @Test func aLockFilePlantedAsALinkIsNeverWrittenThrough() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        scratch.write("victim.txt", "precious")
        try FileManager.default.createDirectory(atPath: scratch.path + "/w_images", withIntermediateDirectories: true)
        #expect(symlink("../victim.txt", scratch.path + "/w_images/.wsimg.lock") == 0)
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(scratch.read("victim.txt") == "precious")
        #expect(run.code == 2)
        #expect(run.stderr.contains("symbolic link"), "\(run.stderr)")
        #expect(upstream.requestCount == 0)
    }

    /// With no runtime folder and no home, the pace lives in $TMPDIR/wsimg-<uid>: a folder there that
    /// others may write to, or a state file planted as a link, is refused with one warning.
    @Test func aPaceFolderOthersCanWriteIsNotUsed() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        scratch.write("victim.txt", "precious")
        let own = scratch.path + "/tmp/wsimg-\(getuid())"
        try FileManager.default.createDirectory(atPath: own + "/pace", withIntermediateDirectories: true)
        #expect(chmod(own, 0o777) == 0)
        #expect(symlink(scratch.path + "/victim.txt", own + "/pace/" + (try upstream.paceStateName())) == 0)
        let environment = env(upstream).merging(["HOME": "", "TMPDIR": scratch.path + "/tmp"]) { $1 }
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: environment)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("cannot share the rate limit's pace") && run.stderr.contains("others can write to it"), "\(run.stderr)")
        #expect(scratch.read("victim.txt") == "precious")
        // A private folder, but the state file is a link: refused too.
        #expect(chmod(own, 0o700) == 0)
        scratch.write("w.json", Sheets.sample(count: 2))
        let again = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: environment)
        #expect(again.code == 0)
        #expect(again.stderr.contains("symbolic link"), "\(again.stderr)")
        #expect(scratch.read("victim.txt") == "precious")
    }

    // MARK: 6. stdout

    /// An edit during the run used to reach stdout as half the old version followed by the new one.
    @Test func stdoutGetsOneWholeWorksheetWhenItWasEditedDuringTheRun() async throws {
        let arrived = DispatchSemaphore(value: 0)
        let edited = DispatchSemaphore(value: 0)
        let upstream = try FakeTogether { index, _ in
            if index == 0 {
                arrived.signal()
                edited.wait()
            }
            return .none
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let started = try Wsimg.start(["generate", "w.json", "-o", "-", "--images-dir", "pics", "-j", "1"], in: scratch.path, environment: env(upstream))
        await arrived.waitWithoutBlocking()
        scratch.write("w.json", Sheets.sample(count: 2).replacingOccurrences(of: "\"title\": \"Тест\"", with: "\"title\": \"Edited\""))
        edited.signal()
        let run = await Wsimg.finish(started)
        #expect(run.code == 0, "\(run.stderr)")
        let sheet = try Worksheet(source: run.stdoutBytes)
        #expect(sheet.placeholders.compactMap(\.url).count == 2)
        #expect(run.stdout.components(separatedBy: "\"title\"").count == 2)
        #expect(run.stdout.contains("Edited"))
    }

    // MARK: 7. several worksheets, the first without pictures

    @Test func aFirstWorksheetWithoutPicturesWastesNoRequest() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("a.json", #"{"pages":[{"elements":[{"type":"body-text","properties":{"text":"hi"}}]}]}"#)
        scratch.write("b.json", Sheets.sample(count: 3))
        let run = try await Wsimg.run(["generate", "a.json", "b.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 3)
        #expect(try scratch.worksheet("b.json").placeholders.compactMap(\.url).count == 3)
        #expect(!scratch.exists("a_images"))
    }

    // MARK: 8. a full disk

    @Test(.enabled(if: TinyDisk.canMount, "needs permission to mount a tmpfs"))
    func aFullDiskDuringDownloadsStopsTheRunWithoutRetrying() async throws {
        let upstream = try FakeTogether(realistic: true)
        defer { upstream.stop() }
        let scratch = try Scratch()
        let small = scratch.path + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        #expect(mount("tmpfs", small, "tmpfs", 0, "size=1m") == 0)
        defer { umount(small) }
        scratch.write("w.json", Sheets.sample(count: 16))
        let run = try await Wsimg.run(
            ["generate", "w.json", "-j", "1", "--images-dir", "small/pics", "--no-cache"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 1, "\(run.stderr)")
        let stored = scratch.files(in: "small/pics").filter { !$0.hasPrefix(".") }
        #expect(stored.count < 16)
        // The request that met the full disk, and no retry: one line says why.
        #expect(upstream.requestCount <= stored.count + 1, "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "No space left on device").count - 1 <= 2, "\(run.stderr)")
        #expect(!scratch.files(in: "small/pics").contains { $0.hasPrefix(".wsimg-") })
        #expect(try scratch.worksheet("w.json").placeholders.compactMap(\.url).count == stored.count)
    }

    // MARK: 9. the cache

    @Test(arguments: ["damaged", "swapped"])
    func aBadCacheEntryIsDeletedAndThePictureMadeAgain(damage: String) async throws {
        let upstream = try FakeTogether(realistic: true)
        defer { upstream.stop() }
        let scratch = try Scratch()
        let original = Sheets.sample(count: 2)
        scratch.write("w.json", original)
        let environment = env(upstream).merging(["WSIMG_CACHE_DIR": scratch.path + "/cache"]) { $1 }
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: environment).code == 0)
        let entries = try cacheEntries(scratch.path + "/cache")
        #expect(entries.count == 2)
        for entry in entries { chmod(entry, 0o644) }
        if damage == "damaged" {
            // Header and trailer intact: only a full decode notices.
            for entry in entries {
                var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: entry)))
                bytes[bytes.count / 2] ^= 0xFF
                try Data(bytes).write(to: URL(fileURLWithPath: entry))
            }
        } else {
            let first = try Data(contentsOf: URL(fileURLWithPath: entries[0]))
            try Data(contentsOf: URL(fileURLWithPath: entries[1])).write(to: URL(fileURLWithPath: entries[0]))
            try first.write(to: URL(fileURLWithPath: entries[1]))
        }
        try FileManager.default.removeItem(atPath: scratch.path + "/w_images")
        scratch.write("w.json", original)
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: environment)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 4)
        let validate = try await Wsimg.run(["validate", "w_images", "--worksheet", "w.json"], in: scratch.path)
        #expect(validate.code == 0, "\(validate.stdout)")
        // The bad entries were replaced by good ones.
        for entry in try cacheEntries(scratch.path + "/cache") {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: entry)))
            let header = try PNGValidator.header(of: bytes)
            try PNGValidator.validate(bytes, width: header.width, height: header.height)
        }
    }

    func cacheEntries(_ root: String) throws -> [String] {
        let base = root + "/v1/png"
        return try FileManager.default.contentsOfDirectory(atPath: base).flatMap { folder in
            try FileManager.default.contentsOfDirectory(atPath: base + "/" + folder).map { base + "/" + folder + "/" + $0 }
        }.sorted()
    }
}
