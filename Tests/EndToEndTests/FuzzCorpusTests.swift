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

/// Every input in Fuzz/corpus (seeds and inputs that once crashed) goes through the fuzz harnesses again.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/corpus").path

    @Test(arguments: ["worksheet", "png", "answer", "pngkinds", "manifest"])
    func replaysTheCorpus(harness: String) async throws {
        let folder = Self.corpus + "/" + harness
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).map { folder + "/" + $0 }
        #expect(!files.isEmpty)
        let binary = URL(fileURLWithPath: Wsimg.binary).deletingLastPathComponent().appendingPathComponent("wsimg-fuzz").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = files
        process.environment = ["WSIMG_FUZZ": harness, "SWIFT_BACKTRACE": "enable=no"]
        let exited = try Wsimg.launch(process)
        let code = await exited.value
        #expect(code == 0)
    }
}
