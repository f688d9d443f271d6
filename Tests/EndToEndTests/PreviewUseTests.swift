import Foundation
import Testing
import WsimgCore

/// `wsimg preview` for real use: the page is named and tagged as the worksheet says, and a reader
/// that stops early (`| head`) is no error.
@Suite struct PreviewUseTests {
    static func sheet(count: Int) -> String {
        let elements = (0..<count).map { #"{"type":"image-placeholder","properties":{"imagePrompt":"picture \#($0)","width":1024,"height":1024}}"# }
        return #"{"title":"Урок","pages":[{"elements":[\#(elements.joined(separator: ","))]}],"metadata":{"topic":"Тварини та числа","language":"uk"}}"#
    }

    @Test func thePageTakesTheWorksheetsTopicAndLanguage() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Self.sheet(count: 1))
        let run = try await Wsimg.run(["preview", "w.json", "-o", "-"], in: scratch.path)
        #expect(run.code == 0)
        #expect(run.stdout.contains(#"<html lang="uk">"#) && run.stdout.contains("<title>Тварини та числа — pictures</title>"), "\(run.stdout.prefix(300))")
    }

    @Test func aReaderThatStopsEarlyIsNoError() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Self.sheet(count: 20))
        #expect(try await Wsimg.run(["generate", "w.json", "--provider", "placeholder", "--embed", "-q"], in: scratch.path).code == 0)
        let run = try await Wsimg.run(
            ["-c", "\"$0\" preview w.json -o - 2>err.txt | head -c 10 >/dev/null; echo \"${PIPESTATUS[0]}\"", Wsimg.binary], in: scratch.path,
            shell: true)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(run.stdout) \(run.stderr)")
        #expect(scratch.read("err.txt").isEmpty, "\(scratch.read("err.txt"))")
    }
}
