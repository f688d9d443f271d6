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

@Suite struct Base64Tests {
    @Test(arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar", "Кіт 🦉"])
    func roundTrips(text: String) {
        let bytes = Array(text.utf8)
        let encoded = Base64.encode(bytes)
        #expect(encoded == Data(bytes).base64EncodedString())
        #expect(Base64.decode(encoded) == bytes)
    }

    @Test func acceptsMissingPadding() {
        #expect(Base64.decode("Zm9vYg") == Array("foob".utf8))
    }

    @Test(arguments: ["@@@@", "Zm9v YmFy", "Zg=", "Z", "Zm9vYg=x", "Zm9v\n"])
    func rejectsInvalidInput(text: String) {
        #expect(Base64.decode(text) == nil)
    }
}

@Suite struct PNGValidatorTests {
    static let valid = try! PNGEncoder.encodeRGB([UInt8](repeating: 200, count: 32 * 16 * 3), width: 32, height: 16)

    @Test func acceptsACompletePNGOfTheExpectedSize() throws {
        try PNGValidator.validate(Self.valid, width: 32, height: 16)
        #expect(try PNGValidator.header(of: Self.valid) == PNGHeader(width: 32, height: 16))
    }

    @Test func rejectsTheWrongSize() {
        #expect(throws: ValidationError.wrongSize(expected: "16×16", actual: "32×16")) {
            try PNGValidator.validate(Self.valid, width: 16, height: 16)
        }
    }

    @Test(arguments: [8, 20, 40, 60])
    func rejectsTruncatedImages(keep: Int) {
        let cut = Array(Self.valid.prefix(keep))
        #expect(throws: ValidationError.self) { try PNGValidator.validate(cut, width: 32, height: 16) }
    }

    @Test func rejectsTruncatedImageDataEvenWithAnIENDTrailer() {
        // Cut the middle out of the IDAT chunk but keep the trailer: only a full decode finds this.
        var damaged = Self.valid
        let idat = damaged.count - 12 - 20
        damaged.replaceSubrange(idat..<idat + 8, with: [UInt8](repeating: 0x55, count: 8))
        #expect(throws: ValidationError.self) { try PNGValidator.validate(damaged, width: 32, height: 16) }
    }

    @Test func namesWhatItGotInstead() {
        #expect(throws: ValidationError.notPNG("JPEG data")) {
            try PNGValidator.validate([0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 0, count: 40), width: 1, height: 1)
        }
        #expect(throws: ValidationError.notPNG("text")) { try PNGValidator.validate(Array("<html></html>".utf8), width: 1, height: 1) }
        #expect(throws: ValidationError.notPNG("empty")) { try PNGValidator.validate([], width: 1, height: 1) }
    }

    @Test func rejectsHugeHeadersBeforeDecoding() {
        var huge = Self.valid
        huge.replaceSubrange(16..<20, with: [0, 0, 0x40, 0])  // width 16384
        #expect(throws: ValidationError.tooLarge(width: 16384, height: 16)) { try PNGValidator.header(of: huge) }
    }

    @Test func quickCheckReadsHeaderAndTrailer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wsimg-quick-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let good = folder + "/good.png"
        let cut = folder + "/cut.png"
        #expect(FileManager.default.createFile(atPath: good, contents: Data(Self.valid)))
        #expect(FileManager.default.createFile(atPath: cut, contents: Data(Self.valid.dropLast(5))))
        #expect(PNGValidator.quickCheck(fileAt: good, width: 32, height: 16))
        #expect(!PNGValidator.quickCheck(fileAt: good, width: 32, height: 32))
        #expect(!PNGValidator.quickCheck(fileAt: cut, width: 32, height: 16))
        #expect(!PNGValidator.quickCheck(fileAt: folder + "/missing.png", width: 32, height: 16))
    }

    @Test func placeholderPicturesAreValidAndDeterministic() async throws {
        let request = ImageRequest(id: "0-0", caption: nil, prompt: "owl", promptToSend: "owl", width: 256, height: 272, seed: 1)
        guard case .bytes(let first) = try await PlaceholderProvider().generate(request),
            case .bytes(let second) = try await PlaceholderProvider().generate(request)
        else {
            Issue.record("placeholder pictures are made in memory")
            return
        }
        #expect(first == second)
        try PNGValidator.validate(first, width: 256, height: 272)
    }
}
