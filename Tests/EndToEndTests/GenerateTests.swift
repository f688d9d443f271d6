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

@Suite struct GenerateEndToEndTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    @Test func generatesValidPNGsAndLinksThem() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("lesson.json", Sheets.sample(count: 4))
        let run = try await Wsimg.run(["generate", "lesson.json", "-j", "2"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("4 new, 0 already present, 0 failed → lesson.json, lesson_images/ ("))
        #expect(!run.stderr.contains(Wsimg.secret))
        #expect(upstream.requestCount == 4)
        #expect(upstream.maxConcurrentRequests <= 2)
        #expect(upstream.connectionCount <= 2)

        let sheet = try scratch.worksheet("lesson.json")
        let sizes = [(400, 304), (512, 384), (608, 400), (256, 256)]
        for (index, placeholder) in sheet.placeholders.enumerated() {
            let url = try #require(sheet.link(placeholder))
            #expect(url.hasPrefix("lesson_images/\(placeholder.id)-") && url.hasSuffix(".png"))
            let png = scratch.bytes(url)
            try PNGValidator.validate(png, width: sizes[index].0, height: sizes[index].1)
        }
        // The worksheet's own sizes and everything else stay as written.
        let text = scratch.read("lesson.json")
        #expect(text.contains(#""width": 400, "height": 300"#))
        #expect(text.contains(#""fontSize": 18.0"#))
        #expect(text.contains(#""version": 2.10"#))
        #expect(text.contains("Веселий кіт"))
        #expect(scratch.files(in: "lesson_images").count == 4)
        #expect(!scratch.files(in: ".").contains { $0.hasPrefix(".wsimg-") })
    }

    @Test func sendsWhatTogetherExpects() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(["generate", "w.json", "--steps", "6", "--model", "some/model"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        let seen = try #require(upstream.requests.first)
        #expect(seen.path == "/v1/images/generations")
        #expect(seen.authorization == "Bearer \(Wsimg.secret)")
        #expect(seen.prompt == "Веселий кіт грає з клубком, educational content, child-friendly, professional digital art, vibrant colors")
        #expect(seen.width == 400 && seen.height == 304)
        #expect(seen.body["model"] == #""some/model""#)
        #expect(seen.body["steps"] == "6")
        #expect(seen.body["n"] == "1")
        #expect(seen.body["response_format"] == #""base64""#)
        #expect(seen.body["output_format"] == #""png""#)
        #expect(seen.seed != nil)
    }

    @Test func reRunsDoNoWorkAndLeaveTheWorksheetByteIdentical() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        #expect(try await Wsimg.run(["generate", "w.json", "-o", "out.json"], in: scratch.path, environment: env(upstream)).code == 0)
        let first = scratch.bytes("out.json")
        #expect(upstream.requestCount == 3)

        let again = try await Wsimg.run(["generate", "out.json", "-o", "out.json"], in: scratch.path, environment: env(upstream))
        #expect(again.code == 0)
        #expect(upstream.requestCount == 3)
        #expect(scratch.bytes("out.json") == first)
        #expect(again.stderr.contains("0 new, 3 already present, 0 failed → out.json, out_images/"))
    }

    @Test func aChangedPromptRegeneratesOnlyThatImage() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        let before = try scratch.worksheet("w.json")
        scratch.write("w.json", scratch.read("w.json").replacingOccurrences(of: "Friendly dinosaur", with: "Sleepy dinosaur"))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0)
        #expect(upstream.requestCount == 4)
        #expect(upstream.requests.last?.prompt.hasPrefix("Sleepy dinosaur") == true)
        let after = try scratch.worksheet("w.json")
        #expect(after.url("0-0") == before.url("0-0"))
        #expect(after.url("0-2") != before.url("0-2"))
        // The superseded picture stays, a candidate of the old prompt, until --prune.
        #expect(scratch.files(in: "w_images").count == 4)
        #expect(try await Wsimg.run(["generate", "w.json", "--prune"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(scratch.files(in: "w_images").count == 3)
        #expect(upstream.requestCount == 4)
    }

    @Test func keepsURLsItDidNotMakeUnlessForced() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let sheet = #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"cat","url":"https://cdn.example/cat.png"}}]}]}"#
        scratch.write("w.json", sheet)
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0)
        #expect(upstream.requestCount == 0)
        #expect(scratch.read("w.json") == sheet)
        let forced = try await Wsimg.run(["generate", "w.json", "--force"], in: scratch.path, environment: env(upstream))
        #expect(forced.code == 0)
        #expect(upstream.requestCount == 1)
        #expect(try scratch.worksheet("w.json").url("0-0")?.hasPrefix("w_images/0-0-") == true)
    }

    @Test func writesToStdoutAndEmbedsDataURLs() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json", "-o", "-", "--embed"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        let sheet = try Worksheet(source: run.stdoutBytes)
        for placeholder in sheet.placeholders {
            let url = try #require(sheet.link(placeholder))
            #expect(url.hasPrefix("data:image/png;base64,"))
            let png = try #require(Base64.decode(url.dropFirst("data:image/png;base64,".count)))
            #expect(try PNGValidator.header(of: png).width >= 256)
        }
        #expect(scratch.read("w.json") == Sheets.sample(count: 2))
        // Embedded again: nothing to do, same output.
        let again = try await Wsimg.run(["generate", "w.json", "-o", "-", "--embed"], in: scratch.path, environment: env(upstream))
        #expect(again.stdoutBytes == run.stdoutBytes)
        #expect(upstream.requestCount == 2)
    }

    @Test func placeholderProviderNeedsNoKeyOrNetwork() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder", "--images-dir", "pics"], in: scratch.path)
        #expect(run.code == 0, "\(run.stderr)")
        let sheet = try scratch.worksheet("w.json")
        #expect(sheet.placeholders.allSatisfy { $0.url?.hasPrefix("pics/") == true })
        try PNGValidator.validate(scratch.bytes(try #require(sheet.url("0-0"))), width: 400, height: 304)
    }

    @Test func missingKeyIsAConfigurationError() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path)
        #expect(run.code == 2)
        #expect(run.stderr.contains("TOGETHER_API_KEY"))
        #expect(run.stderr.contains("--provider placeholder"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(scratch.read("w.json") == Sheets.sample(count: 1))
        #expect(!scratch.exists("w_images"))
    }

    @Test func someFailuresExitOneAndKeepTheRest() async throws {
        let upstream = try FakeTogether { _, prompt in prompt.hasPrefix("Friendly") ? .status(500, body: #"{"error":{"message":"model crashed"}}"#) : .none }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let run = try await Wsimg.run(["generate", "w.json", "--retries", "1", "--backoff", "0"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 1)
        #expect(run.stderr.contains("0-2 \"Picture 1\": server error 500: model crashed"))
        #expect(run.stderr.contains("2 new, 0 already present, 1 failed → w.json, w_images/"))
        #expect(upstream.requestCount == 4)
        let sheet = try scratch.worksheet("w.json")
        #expect(sheet.url("0-0") != nil && sheet.url("0-2") == nil && sheet.url("1-1") != nil)
    }

    @Test(arguments: [
        FakeTogether.Fault.truncatedPNG, .wrongSizePNG, .invalidBase64, .garbageBody, .drop, .jpegInstead,
        .status(503, body: "busy"),
    ])
    func retriesBadAnswersAndNeverWritesThem(fault: FakeTogether.Fault) async throws {
        let upstream = try FakeTogether { index, _ in index == 0 ? fault : .none }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(["generate", "w.json", "--backoff", "0"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 2)
        let url = try #require(try scratch.worksheet("w.json").url("0-0"))
        try PNGValidator.validate(scratch.bytes(url), width: 400, height: 304)
    }

    @Test func aRefusedKeyStopsTheRunWithoutLeakingIt() async throws {
        let upstream = try FakeTogether { _, _ in .status(401, body: #"{"error":{"message":"Invalid API key provided: \#(Wsimg.secret)"}}"#) }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 4))
        let run = try await Wsimg.run(["generate", "w.json", "-j", "1", "-v"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 2)
        #expect(upstream.requestCount == 1)
        #expect(run.stderr.contains("API key was refused"))
        #expect(!run.stderr.contains(Wsimg.secret))
        #expect(!run.stdout.contains(Wsimg.secret))
    }

    @Test func readsTheKeyFromAFile() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        scratch.write("key.txt", Wsimg.secret + "\n")
        let run = try await Wsimg.run(
            ["generate", "w.json"], in: scratch.path,
            environment: ["TOGETHER_API_KEY_FILE": scratch.path + "/key.txt", "TOGETHER_BASE_URL": upstream.baseURL])
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requests.first?.authorization == "Bearer \(Wsimg.secret)")
    }
}
