import FakeUpstream
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

/// The streaming reader against the tree parser it replaced: same errors (line and column included),
/// same placeholders, whatever the chunk size.
@Suite struct WorksheetScanTests {
    static let chunkSizes = [1, 2, 3, 5, 16, 4096]

    func expectAgreement(_ text: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = ReferenceWorksheet.read(text)
        for size in Self.chunkSizes + [max(1, text.count)] {
            let streamed = ReferenceWorksheet.streamed(text, chunkSize: size)
            #expect(streamed.agrees(with: reference), "chunk size \(size): \(streamed) against \(reference)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        "{\"a\": }", "{\n  \"a\": 1,\n  \"b\" 2\n}", "[1, 2", "", "   \n ", "{\"a\": 01}", "{\"a\": \"x\ny\"}", "{\"a\": tru}",
        "[1] [2]", "{\"кіт\": ?}", "{\"a\": -}", "{\"a\": 1.}", "{\"a\": 1e}", "{\"a\": 1e+}", "{\"a\" 1}", "{1: 2}", "{\"a\": [1 2]}",
        "{\"a\": {\"b\": 1 \"c\": 2}}", "\"\\ud83d\"", "[\"\\x\"]", "[\"\\u12\"]", "[\"\\udc00\"]", "[\"\\ud83d\\u0041\"]", "nul", "[tx]",
        "{\"pages\": 5}", "[1]", "7", "{\"title\": \"x\"}", "{\"pages\": {}}", "{\"data\": {\"worksheet\": 3}}",
        "{\"pages\": [], \"pages\": \"late\"}", "{\n\"ключ\": \"значення\",\n  \"b\": ]}",
    ])
    func reportsTheSameErrors(text: String) {
        expectAgreement(Array(text.utf8))
    }

    @Test(
        arguments: [
            [0xEF, 0xBB, 0xBF] + Array(#"{"pages": []}"#.utf8), [0xEF, 0xBB] + Array("{}".utf8), [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22],
            [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE0, 0x80, 0x80, 0x22], [0x5B, 0xC3, 0xA9, 0x5D],
            Array(#"{"a": "é", "b": ?}"#.utf8),
        ] as [[UInt8]])
    func checksUTF8AndTheByteOrderMark(bytes: [UInt8]) {
        expectAgreement(bytes)
    }

    @Test func readsTheSamePlaceholders() {
        let long = String(repeating: "iVBORw0KGgo", count: 9000)
        let sheets = [
            #"{"pages": [{"elements": [{"type": "text"}, {"type": "image-placeholder", "properties": {"imagePrompt": "a \"cat\" \u00e9 \ud83d\ude00", "caption": "C", "width": 400, "height": 3e2, "url": "x\/y.png"}}]}, {"elements": []}, 5, {"elements": 3}]}"#,
            #"{"success": true, "data": {"worksheet": {"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "env"}}]}]}}}"#,
            #"{"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "first"}}], "elements": [{"properties": {"imagePrompt": "x"}, "type": "image-placeholder"}]}], "data": {"worksheet": {"pages": []}}}"#,
            #"{"pages": [{"elements": [{"type": "image-placeholder", "type": "other", "properties": {"imagePrompt": "gone"}}, {"type": "image-placeholder", "properties": [1]}, {"type": "image-placeholder", "properties": {"imagePrompt": {"nested": "x"}, "width": "wide", "height": -1}}]}]}"#,
            #"{"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": null, "width": 1e400, "height": 0}}, {"type": "image-placeholder", "properties": {"imagePrompt": "   ", "width": 2000000}}]}]}"#,
            #"{"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "big", "url": "data:image/png;base64,\#(long)", "caption": "\#(long)"}}]}]}"#,
            #"{"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "escaped", "url": "data:image\/png;base64,\#(long.replacingOccurrences(of: "/", with: "\\/"))=="}}]}]}"#,
            #"{"data": {"worksheet": {"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "env"}}]}]}}, "pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "root"}}]}]}"#,
            #"{"data": {"worksheet": {"pages": [1]}}, "data": {"other": 1}}"#,
            #"{"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "n", "width": 0.\#(String(repeating: "0", count: 300))1, "height": 4\#(String(repeating: "0", count: 300))}}]}]}"#,
        ]
        for sheet in sheets { expectAgreement(Array(sheet.utf8)) }
    }

    @Test func keepsLongStringsInTheFile() throws {
        let long = "data:image/png;base64," + String(repeating: "QUJD", count: 40_000)
        let text = #"{"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "a", "url": "\#(long)"}}]}]}"#
        let sheet = try Worksheet(source: Array(text.utf8), chunkSize: 1000)
        let url = try #require(sheet.placeholders.first?.url)
        #expect(url.isLong && url.text == nil)
        #expect(url.head.count == JSONScanner.headLimit && long.hasPrefix(url.head))
        #expect(sheet.source.string(url) == long)
        #expect(sheet.source.string(url, limit: 1000) == nil)
    }

    @Test func boundsNestingDepth() {
        expectAgreement(Array((String(repeating: "[", count: 300) + String(repeating: "]", count: 300)).utf8))
        expectAgreement(Array((#"{"pages": ["# + String(repeating: "[", count: 254) + String(repeating: "]", count: 254) + "]}").utf8))
        expectAgreement(Array((#"{"pages": ["# + String(repeating: "[", count: 255) + String(repeating: "]", count: 255) + "]}").utf8))
    }
}

@Suite struct XXHash64Tests {
    @Test(arguments: [("", 0xEF46_DB37_51D8_E999 as UInt64), ("a", 0xD24E_C4F1_A98C_6E5B), ("abc", 0x44BC_2CF5_AD77_0999)])
    func matchesTheReferenceVectors(text: String, expected: UInt64) {
        #expect(XXHash64.hash(Array(text.utf8)) == expected)
    }

    @Test func streamsInAnyPieces() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = XXHash64.hash(bytes)
        for piece in [1, 3, 8, 31, 32, 33, 999] {
            var hasher = XXHash64()
            for start in stride(from: 0, to: bytes.count, by: piece) {
                bytes[start..<min(bytes.count, start + piece)].withUnsafeBytes { hasher.update($0) }
            }
            #expect(hasher.finish() == whole, "pieces of \(piece)")
        }
    }
}

@Suite struct JSONScannerPositionTests {
    @Test(arguments: [
        ("{\"a\": }", 1, 7), ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7), ("[1, 2", 1, 6), ("", 1, 1), ("{\"a\": 01}", 1, 8),
        ("{\"a\": \"x\ny\"}", 1, 9), ("{\"a\": tru}", 1, 7), ("[1] [2]", 1, 5), ("{\"кіт\": ?}", 1, 9), ("{\n\"ключ\": \"é\", ?}", 2, 14),
    ])
    func reportsLineAndColumn(text: String, line: Int, column: Int) {
        for size in [1, 3, 1000] {
            do {
                _ = try Worksheet(source: Array(text.utf8), chunkSize: size)
                Issue.record("no error for \(text)")
            } catch {
                guard case .notJSON(let syntax) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(syntax.line == line && syntax.column == column, "\(syntax) (chunks of \(size))")
            }
        }
    }
}

@Suite struct EmbeddedImageDecodeTests {
    func sheet(url: String) throws -> Worksheet {
        try Worksheet(source: Array(#"{"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "a", "url": "\#(url)"}}]}]}"#.utf8), chunkSize: 4096)
    }

    /// A long `data:` URL is decoded from the file's bytes, escaped slashes (PHP's `json_encode`) included.
    @Test(arguments: [false, true])
    func decodesLongDataURLsFromTheFile(escapedSlashes: Bool) throws {
        let picture = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 9) }
        var url = EmbeddedImage.url(for: picture)
        if escapedSlashes { url = url.replacingOccurrences(of: "/", with: "\\/") }
        let worksheet = try sheet(url: url)
        let text = try #require(worksheet.placeholders.first?.url)
        #expect(text.isLong && text.hasPrefix(EmbeddedImage.prefix))
        #expect(EmbeddedImage.decode(text, in: worksheet.source) == .picture(picture))
    }

    @Test func refusesWhatIsNotBase64() throws {
        let worksheet = try sheet(url: "data:image/png;base64,@@@@" + String(repeating: "A", count: 100_000))
        let text = try #require(worksheet.placeholders.first?.url)
        #expect(EmbeddedImage.decode(text, in: worksheet.source) == .notBase64)
        let noComma = try sheet(url: "data:image/png;base64" + String(repeating: "A", count: 100_000))
        #expect(EmbeddedImage.decode(try #require(noComma.placeholders.first?.url), in: noComma.source) == .notBase64)
    }
}
