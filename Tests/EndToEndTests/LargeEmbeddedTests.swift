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

/// Embedded pictures large enough that their `data:` URLs stay in the file while wsimg reads it (longer
/// than the scanner keeps as text): every command that reads or rewrites them streams from the file.
@Suite struct LargeEmbeddedTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    func embeddedSheet(_ upstream: FakeTogether, in scratch: Scratch) async throws -> Worksheet {
        scratch.write("w.json", Sheets.sample(count: 3))
        let run = try await Wsimg.run(["generate", "w.json", "--embed"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        let sheet = try scratch.worksheet("w.json")
        // Otherwise this suite would test the short-string path like the others.
        #expect(sheet.placeholders.count == 3 && sheet.placeholders.allSatisfy { $0.url?.isLong == true })
        return sheet
    }

    @Test func longDataURLsAreWrittenReadAndKeptWithoutChange() async throws {
        let upstream = try FakeTogether(realistic: true)
        defer { upstream.stop() }
        let scratch = try Scratch()
        let sheet = try await embeddedSheet(upstream, in: scratch)
        for placeholder in sheet.placeholders {
            let url = try #require(sheet.link(placeholder))
            let file = try #require(scratch.files(in: "w_images").first { $0.hasPrefix(placeholder.id + "-") })
            #expect(Base64.decode(url.dropFirst(EmbeddedImage.prefix.count)) == scratch.bytes("w_images/" + file))
        }
        let before = scratch.bytes("w.json")
        let again = try await Wsimg.run(["generate", "w.json", "--embed"], in: scratch.path, environment: env(upstream))
        #expect(again.code == 0 && again.stderr.contains("0 new, 3 already present"), "\(again.stderr)")
        #expect(upstream.requestCount == 3)
        #expect(scratch.bytes("w.json") == before)
        let prompts = try await Wsimg.run(["prompts", "w.json"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(prompts.code == 0 && prompts.stdout.contains("3 images: 3 present, 0 to generate"), "\(prompts.stdout)")
        let validate = try await Wsimg.run(["validate", "--worksheet", "w.json"], in: scratch.path)
        #expect(validate.code == 0, "\(validate.stdout)")
        let preview = try await Wsimg.run(["preview", "w.json"], in: scratch.path)
        #expect(preview.stderr.contains("3 of 3 pictures"), "\(preview.stderr)")
        #expect(scratch.read("w.preview.html").components(separatedBy: "src=\"data:image/png;base64,").count == 4)
    }

    @Test func anEditedPromptAndALostImagesFolderCostOnlyTheEditedPicture() async throws {
        let upstream = try FakeTogether(realistic: true)
        defer { upstream.stop() }
        let scratch = try Scratch()
        let sheet = try await embeddedSheet(upstream, in: scratch)
        let kept = try #require(sheet.link(sheet.placeholders[0]))
        // The images folder is gone and one prompt was edited: the other two are written back from
        // their embedded copies, and only the edited one is asked for.
        try FileManager.default.removeItem(atPath: scratch.path + "/w_images")
        scratch.write("w.json", scratch.read("w.json").replacingOccurrences(of: "Friendly dinosaur", with: "Sleepy dinosaur"))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 4)
        let linked = try scratch.worksheet("w.json")
        #expect(linked.placeholders.allSatisfy { $0.url?.hasPrefix("w_images/") == true })
        let file = try #require(linked.url("0-0"))
        #expect(scratch.bytes(file) == Base64.decode(kept.dropFirst(EmbeddedImage.prefix.count)))
        #expect(scratch.files(in: "w_images").count == 3)
    }

    @Test func standardInputWithLongDataURLsIsStreamedThrough() async throws {
        let upstream = try FakeTogether(realistic: true)
        defer { upstream.stop() }
        let scratch = try Scratch()
        _ = try await embeddedSheet(upstream, in: scratch)
        let run = try await Wsimg.run(
            ["generate", "-", "--images-dir", "w_images", "--embed", "-q"], in: scratch.path, environment: env(upstream),
            stdin: scratch.path + "/w.json")
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stdoutBytes == scratch.bytes("w.json"))
        #expect(upstream.requestCount == 3)
    }
}
