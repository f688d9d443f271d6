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

/// Whether this machine lets the tests mount a tmpfs.
enum TinyDisk {
    static let canMount: Bool = {
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("wsimg-mount-probe-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount(probe)
        return true
    }()
}

/// A real full disk: a tiny tmpfs, where the machine allows mounting one (root, as in CI).
@Suite(.enabled(if: TinyDisk.canMount, "needs permission to mount a tmpfs"))
struct DiskFullTests {
    @Test func aFullDiskIsAClearErrorAndLeavesNothingBroken() async throws {
        let scratch = try Scratch()
        let small = scratch.path + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        #expect(mount("tmpfs", small, "tmpfs", 0, "size=96k") == 0)
        defer { umount(small) }
        scratch.write("w.json", Sheets.sample(count: 12))
        let run = try await Wsimg.run(
            ["generate", "w.json", "--provider", "placeholder", "-j", "1", "--images-dir", "small/pics"],
            in: scratch.path)
        #expect(run.code == 1, "\(run.stderr)")
        #expect(run.stderr.contains("cannot write \(small)/pics/"), "\(run.stderr)")
        #expect(run.stderr.contains("No space left on device"))
        let files = scratch.files(in: "small/pics")
        #expect(!files.isEmpty)
        #expect(!files.contains { $0.hasPrefix(".wsimg-") })
        let sheet = try scratch.worksheet("w.json")
        let linked = sheet.placeholders.compactMap(sheet.link)
        #expect(linked.count == files.count)
        for url in linked {
            let header = try PNGValidator.header(of: scratch.bytes(url))
            try PNGValidator.validate(fileAt: scratch.path + "/" + url, width: header.width, height: header.height)
        }
    }
}
