import FakeUpstream
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

/// Setting `url`s by splicing them into a copy of the worksheet, whatever the chunk size.
@Suite struct WorksheetWriterTests {
    static let chunkSizes = [1, 2, 3, 7, 64, WorksheetSource.chunkSize]

    func sheet(_ properties: String) -> String {
        #"{"pages": [{"elements": [{"type": "image-placeholder", "properties": "# + properties + "}]}]}"
    }

    func edited(_ text: String, chunkSize: Int, urls: [String: String] = ["0-0": "x"]) throws -> String {
        let worksheet = try Worksheet(source: Array(text.utf8), chunkSize: chunkSize)
        return String(decoding: try WorksheetWriter.edited(worksheet, urls: urls), as: UTF8.self)
    }

    @Test(arguments: chunkSizes)
    func replacesAnExistingValueAndNothingElse(chunkSize: Int) throws {
        let properties = "{\n  \"imagePrompt\": \"a\",\n  \"n\": 1.0,\n  \"url\": \"old\",\n  \"s\": \"\\u00e9\"\n}"
        let expected = properties.replacingOccurrences(of: "\"old\"", with: "\"x\"")
        #expect(try edited(sheet(properties), chunkSize: chunkSize) == sheet(expected))
    }

    @Test(arguments: chunkSizes)
    func appendsAMemberWithTheSiblingsLayout(chunkSize: Int) throws {
        let cases = [
            ("{\n    \"imagePrompt\": \"a\",\n    \"b\": 2\n}", "{\n    \"imagePrompt\": \"a\",\n    \"b\": 2,\n    \"url\": \"x\"\n}"),
            (#"{"imagePrompt":"a","b":{"c":[1]}}"#, #"{"imagePrompt":"a","b":{"c":[1]},"url":"x"}"#),
            (#"{"imagePrompt": "a"}"#, #"{"imagePrompt": "a", "url": "x"}"#),
            ("{}", #"{"url": "x"}"#),
        ]
        for (before, after) in cases {
            #expect(try edited(sheet(before), chunkSize: chunkSize) == sheet(after))
        }
    }

    @Test(arguments: chunkSizes)
    func editsSeveralElementsInSourceOrder(chunkSize: Int) throws {
        let text = #"{"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "a"}}, {"type": "image-placeholder", "properties": {"imagePrompt": "b", "url": 5}}]}]}"#
        let expected = #"{"pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "a", "url": "1"}}, {"type": "image-placeholder", "properties": {"imagePrompt": "b", "url": "2"}}]}]}"#
        #expect(try edited(text, chunkSize: chunkSize, urls: ["0-1": "2", "0-0": "1"]) == expected)
    }

    /// An embedded picture is base64-encoded from its file as it is written, never held as text.
    @Test(arguments: [1, 5, WorksheetSource.chunkSize])
    func embedsAPictureFromItsFile(chunkSize: Int) throws {
        let folder = FileManager.default.temporaryDirectory.path + "/wsimg-writer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for size in [0, 1, 2, 3, 196_607, 196_608, 196_609, 500_000] {
            let picture = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
            let file = folder + "/p.png"
            _ = FileManager.default.createFile(atPath: file, contents: Data(picture))
            let worksheet = try Worksheet(source: Array(sheet(#"{"imagePrompt": "a", "url": "old"}"#).utf8), chunkSize: chunkSize)
            let out = folder + "/out.json"
            try AtomicFile.write(to: out) { (fd) throws(OutputError) in
                try WorksheetWriter(worksheet: worksheet, links: ["0-0": .embedded(file: file)]).write(to: fd, path: out)
            }
            let written = try Worksheet(contentsOf: out, shownAs: out)
            let url = try #require(written.placeholders.first?.url)
            #expect(written.source.string(url) == EmbeddedImage.url(for: picture))
        }
    }

    /// Compare-and-swap: the copy is hashed, so a worksheet changed after it was read is not
    /// half-mixed into the new version.
    @Test func noticesTheWorksheetChangedSinceItWasRead() throws {
        let path = FileManager.default.temporaryDirectory.path + "/wsimg-cas-\(UUID().uuidString).json"
        defer { unlink(path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(sheet(#"{"imagePrompt": "a"}"#).utf8))
        let worksheet = try Worksheet(contentsOf: path, shownAs: path)
        _ = FileManager.default.createFile(atPath: path, contents: Data(sheet(#"{"imagePrompt": "b"}"#).utf8))
        #expect(throws: OutputError.changedWhileWriting) { try WorksheetWriter.edited(worksheet, urls: ["0-0": "x"]) }
    }
}
