import Foundation
import Testing

@testable import WsimgBasics
@testable import WsimgCLI
@testable import WsimgGeneration
@testable import WsimgImages
@testable import WsimgJSON
@testable import WsimgLibrary
@testable import WsimgNetwork
@testable import WsimgRun
@testable import WsimgWorksheet

@Suite struct Base64FieldSpoolTests {
    let folder: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wsimg-spool-\(UUID())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static let image: [UInt8] = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    func feed(_ body: String, chunk: Int) -> Base64FieldSpool {
        let spool = Base64FieldSpool(field: "b64_json", directory: folder)
        let bytes = Array(body.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            _ = bytes[offset..<end].withUnsafeBytes { spool.consume($0) }
            offset = end
        }
        return spool
    }

    func spooledBytes(_ spool: Base64FieldSpool) -> [UInt8]? {
        guard let file = spool.finish() else { return nil }
        return FileManager.default.contents(atPath: file.path).map(Array.init)
    }

    @Test(arguments: [1, 2, 3, 7, 64, 100_000])
    func decodesTheFieldWhateverTheChunking(chunk: Int) throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let body = #"{"id":"x","data":[{"index":0,"b64_json":"\#(Base64.encode(Self.image))","seed":1}],"model":"b64_json"}"#
        let spool = feed(body, chunk: chunk)
        #expect(spooledBytes(spool) == Self.image)
        #expect(spool.problem == nil)
        // The rest of the body was read as it passed, and nothing of it kept.
        #expect(try spool.answer() == .base64(""))
        #expect(spool.keptBody.isEmpty)
    }

    /// What is skipped is not kept: an answer with megabytes beside the picture is read as it streams.
    @Test func skipsWhatItDoesNotRead() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let padding = String(repeating: "0,", count: 1 << 20) + "0"
        let spool = feed(#"{"padding":[\#(padding)],"data":[{"b64_json":"\#(Base64.encode(Self.image))"}]}"#, chunk: 1 << 16)
        #expect(spooledBytes(spool) == Self.image)
        #expect(try spool.answer() == .base64(""))
    }

    @Test func anAnswerThatIsNotJSONIsSaidSo() {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = #expect(throws: GenerationError.self) { try feed(#"[x"#, chunk: 1).answer() }
        #expect(error?.description.contains("the body is not JSON") == true)
        #expect(throws: GenerationError.badResponse("the server sent an empty answer")) { try feed("", chunk: 1).answer() }
    }

    @Test(arguments: ["", "A", "AB", "ABC"].map { Base64.encode(Array($0.utf8)) })
    func handlesEveryPaddingLength(encoded: String) {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = feed(#"{"b64_json" : "\#(encoded)"}"#, chunk: 1)
        #expect(spooledBytes(spool) == Base64.decode(encoded))
    }

    @Test func acceptsEscapedSlashes() {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let encoded = Base64.encode(Self.image)
        #expect(encoded.contains("/"))
        let spool = feed(#"{"b64_json":"\#(encoded.replacingOccurrences(of: "/", with: "\\/"))"}"#, chunk: 5)
        #expect(spooledBytes(spool) == Self.image)
    }

    @Test func ignoresTheKeyInsideOtherStrings() {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = feed(#"{"note":"\"b64_json\":\"AAAA","b64_json":"QUJD"}"#, chunk: 3)
        #expect(spooledBytes(spool) == Array("ABC".utf8))
    }

    @Test(arguments: [
        (#"{"b64_json":"@@@@"}"#, "the image is not valid base64"),
        (#"{"b64_json":"QUJD\n"}"#, "the image is not valid base64"),
        (#"{"b64_json":"QQ=A"}"#, "the image is not valid base64"),
        (#"{"data":[{"b64_json":"QUJD"},{"b64_json":"QUJD"}]}"#, "more than one image in the answer"),
    ])
    func reportsBadFields(body: String, problem: String) {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = feed(body, chunk: 2)
        #expect(spool.finish() == nil)
        #expect(spool.problem == problem)
    }

    @Test func leavesNoFileBehindWhenDropped() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            let spool = feed(#"{"b64_json":"QUJD"}"#, chunk: 4)
            _ = spool.finish()
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == 1)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    @Test func absentFieldMeansNoFile() {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let spool = feed(#"{"error":{"message":"nope"}}"#, chunk: 8)
        #expect(spool.finish() == nil)
        #expect(spool.problem == nil)
        #expect(!spool.sawField)
        #expect(throws: GenerationError.badResponse("no \"data\" in the answer")) { try spool.answer() }
    }
}
