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

/// `wsimg preview` in a real browser: headless Chromium (`make test` installs Debian's `chromium`)
/// opens the page from file:// and reports how many of its pictures rendered.
@Suite struct PreviewTests {
    static let chromium = "/usr/bin/chromium"

    @Test func everyPictureRendersInARealBrowserAndMissingOnesSaySo() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.chromium), "chromium is missing: run `make test`, which installs it")
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        #expect(try await Wsimg.run(["generate", "w.json", "--provider", "placeholder"], in: scratch.path).code == 0)
        // One element more: not generated yet; and one without a prompt.
        let text = scratch.read("w.json").replacingOccurrences(of: #""meta": {"version": 2.10}"#, with: "\"meta\": {}")
            .replacingOccurrences(
                of: #"{"type": "body-text", "properties": {"text": "Скільки? 0", "fontSize": 18.0}}"#,
                with: #"{"type": "image-placeholder", "properties": {"imagePrompt": "<b>owl</b> & \"moon\"", "caption": "Later"}}, {"type": "image-placeholder", "properties": {"caption": "blank"}}"#)
        scratch.write("w.json", text)
        let preview = try await Wsimg.run(["preview", "w.json"], in: scratch.path)
        #expect(preview.code == 0, "\(preview.stderr)")
        #expect(preview.stderr.contains("Wrote w.preview.html: 3 of 5 pictures, 1 missing or invalid"))
        let html = scratch.read("w.preview.html")
        #expect(!html.contains("src=\"http") && !html.contains("<link") && !html.contains("url(http"))
        #expect(html.contains("&lt;b&gt;owl&lt;/b&gt; &amp; &quot;moon&quot;"))
        #expect(html.contains("missing: not generated yet") && html.contains("no picture: no imagePrompt"))

        let dumped = try await Self.renderedPage("w.preview.html", in: scratch)
        #expect(dumped.contains(#"data-rendered="3/3""#), "\(dumped.prefix(300))")
    }

    /// The page as headless Chromium leaves it after loading it from file:// (its `data-rendered`
    /// attribute counts the pictures that rendered).
    static func renderedPage(_ name: String, in scratch: Scratch) async throws -> String {
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: chromium)
        browser.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000", "--dump-dom",
            URL(fileURLWithPath: scratch.path + "/" + name).absoluteString,
        ]
        browser.environment = ["HOME": scratch.path, "PATH": "/usr/bin:/bin"]
        let dom = Pipe()
        browser.standardOutput = dom
        browser.standardError = FileHandle.nullDevice
        let exited = try Wsimg.launch(browser)
        let dumped = String(decoding: dom.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(await exited.value == 0)
        return dumped
    }
}
