import Foundation
import Testing

/// Every input in Fuzz/corpus (seeds and inputs that once crashed) goes through the fuzz harnesses again.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/corpus").path

    @Test(arguments: ["worksheet", "png", "answer", "pngkinds"])
    func replaysTheCorpus(harness: String) async throws {
        let folder = Self.corpus + "/" + harness
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).map { folder + "/" + $0 }
        #expect(!files.isEmpty)
        let binary = URL(fileURLWithPath: Wsimg.binary).deletingLastPathComponent().appendingPathComponent("wsimg-fuzz").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = files
        process.environment = ["WSIMG_FUZZ": harness, "SWIFT_BACKTRACE": "enable=no"]
        let (exits, exit) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { exit.yield($0.terminationStatus); exit.finish() }
        try process.run()
        var code: Int32 = -1
        for await status in exits { code = status }
        #expect(code == 0)
    }
}
