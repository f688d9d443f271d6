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

/// `preview` of candidates, of several worksheets, and `--open`.
@Suite struct PreviewChoicesTests {
    /// Every candidate renders in a real browser, each with the exact command that picks it.
    @Test func candidatesRenderUnderTheirPictureWithThePickCommand() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: PreviewTests.chromium), "chromium is missing: run `make test`, which installs it")
        let scratch = try Scratch()
        scratch.write("my lesson.json", Sheets.sample(count: 3))
        let placeholder = ["--provider", "placeholder", "-q"]
        #expect(try await Wsimg.run(["generate", "my lesson.json"] + placeholder, in: scratch.path).code == 0)
        for _ in 0..<2 { #expect(try await Wsimg.run(["generate", "my lesson.json", "--redo", "0-2"] + placeholder, in: scratch.path).code == 0) }
        let preview = try await Wsimg.run(["preview", "my lesson.json"], in: scratch.path)
        #expect(preview.code == 0, "\(preview.stderr)")
        let html = scratch.read("my lesson.preview.html")
        for number in 1...3 { #expect(html.contains("wsimg pick &#39;my lesson.json&#39; 0-2 \(number)"), "\(number)") }
        #expect(html.contains("3 (linked)"))
        // Elements with one picture show no candidates.
        #expect(!html.contains("pick &#39;my lesson.json&#39; 0-0"))

        let dumped = try await PreviewTests.renderedPage("my lesson.preview.html", in: scratch)
        // Three pictures, and the three candidates of 0-2.
        #expect(dumped.contains(#"data-rendered="6/6""#), "\(dumped.prefix(300))")
    }

    @Test func severalWorksheetsMakeOnePageWithASectionEach() async throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/lessons", withIntermediateDirectories: true)
        scratch.write("lessons/a.json", PreviewUseTests.sheet(count: 1))
        scratch.write("lessons/b.json", Sheets.sample(count: 2))
        #expect(try await Wsimg.run(["generate", "lessons", "--provider", "placeholder", "-q"], in: scratch.path).code == 0)
        let run = try await Wsimg.run(["preview", "lessons"], in: scratch.path)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Wrote lessons/preview.html: 3 of 3 pictures"), "\(run.stderr)")
        let html = scratch.read("lessons/preview.html")
        #expect(html.components(separatedBy: "<article class=\"worksheet\">").count == 3)
        #expect(html.contains(#"<h2 class="sheet">Тварини та числа <code>lessons/a.json</code></h2>"#))
        #expect(html.contains(#"<h2 class="sheet">Тест <code>lessons/b.json</code></h2>"#))
        #expect(html.contains("<title>2 worksheets — pictures</title>"))
    }

    @Test func openHandsThePageToTheDesktopOrSaysWhereItIs() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", PreviewUseTests.sheet(count: 1))
        try FileManager.default.createDirectory(atPath: scratch.path + "/bin", withIntermediateDirectories: true)
        scratch.write("bin/xdg-open", "#!/bin/sh\nprintf '%s' \"$1\" > \"$(dirname \"$0\")/../opened.txt\"\n")
        chmod(scratch.path + "/bin/xdg-open", 0o755)
        let opened = try await Wsimg.run(
            ["preview", "w.json", "--open"], in: scratch.path, environment: ["DISPLAY": ":7", "PATH": scratch.path + "/bin:/usr/bin:/bin"])
        #expect(opened.code == 0, "\(opened.stderr)")
        #expect(scratch.read("opened.txt") == scratch.path + "/w.preview.html")
        let headless = try await Wsimg.run(["preview", "w.json", "--open"], in: scratch.path, environment: ["PATH": scratch.path + "/bin:/usr/bin:/bin"])
        #expect(headless.code == 0)
        #expect(headless.stderr.contains("no display to open the page on: open w.preview.html in a browser"), "\(headless.stderr)")
        let stdout = try await Wsimg.run(["preview", "w.json", "--open", "-o", "-"], in: scratch.path)
        #expect(stdout.code == 2)
    }
}
