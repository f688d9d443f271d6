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

/// The third hostile review, items 12–16: results a pipeline can trust. Each test failed on 0.4.0.
@Suite struct ThirdReviewResultsTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    // MARK: 12. one rule for what needs a picture

    @Test func validateAcceptsWhatGenerateSkips() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let empty = IdentityTests.element(.webApp, id: "empty", type: "image-placeholder", properties: #"{"imagePrompt":"","caption":"Draw here","width":512,"height":384}"#)
        scratch.write("w.json", IdentityTests.sheet(.webApp, prompts: ["A cat"]).replacingOccurrences(of: #""elements":["#, with: #""elements":[\#(empty),"#))
        let generate = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(generate.code == 0, "\(generate.stderr)")
        let validate = try await Wsimg.run(["validate", "--worksheet", "w.json"], in: scratch.path)
        #expect(validate.code == 0, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stderr.contains("Checked 1 image: all valid PNGs."), "\(validate.stderr)")
    }

    // MARK: 13. messages say the real cause

    @Test func anEditedPromptIsNotCalledOtherSettings() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", IdentityTests.sheet(.webApp, prompts: IdentityTests.prompts))
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        let forced = try await Wsimg.run(["prompts", "w.json", "--force"], in: scratch.path, environment: env(upstream))
        #expect(!forced.stdout.contains("other settings") && !forced.stdout.contains("linked picture"), "\(forced.stdout)")
        scratch.write("w.json", scratch.read("w.json").replacingOccurrences(of: "Volcano experiment", with: "Rainbow experiment"))
        let edited = try await Wsimg.run(["prompts", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(edited.stdout.contains("1 linked picture was made for an earlier prompt or size"), "\(edited.stdout)")
        #expect(!edited.stdout.contains("other settings"), "\(edited.stdout)")
        let moved = try await Wsimg.run(["prompts", "w.json", "--steps", "8"], in: scratch.path, environment: env(upstream))
        #expect(moved.stdout.contains("3 linked pictures were made with other settings (--steps)"), "\(moved.stdout)")
    }

    // MARK: 14. the report counts what was paid

    /// Each picture's first try gets a 500 and its second succeeds: 3 pictures cost 6 requests.
    @Test func theReportCountsRequestsSentAndTheirCost() async throws {
        let upstream = try FakeTogether { index, _ in index < 3 ? .status(500, body: #"{"error":{"message":"boom"}}"#) : .none }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let run = try await Wsimg.run(
            ["generate", "w.json", "-j", "3", "--backoff", "0", "--report", "r.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 6)
        let report = try JSONParser.parse(scratch.bytes("r.json"))
        let totals = try #require(report["totals"])
        #expect(totals["generated"]?.numberValue == 3)
        #expect(totals["requests_sent"]?.numberValue == 6, "\(scratch.read("r.json"))")
        #expect(totals["pictures_asked"]?.numberValue == 6)
        // 400×304, 512×384 and 608×400 (sizes rounded to 16), each asked for twice, at schnell's price.
        let pixels: Int = 400 * 304 + 512 * 384 + 608 * 400
        let megapixels = 2 * Double(pixels) / 1_000_000
        let cost = try #require(totals["cost_usd"]?.numberValue)
        #expect(abs(cost - megapixels * CostEstimate.schnellPricePerMP) < 1e-6, "\(cost)")
        #expect(totals["paced_s"] != nil && totals["waited_s"] != nil)
        let files = (report["worksheets"]?.arrayValue?.first?["images"]?.arrayValue ?? []).compactMap { $0["file"]?.stringValue }
        #expect(files.count == 3 && files.allSatisfy { $0.hasPrefix("w_images/") }, "\(files)")
    }

    // MARK: 15. the closing line's paths

    @Test func theClosingLineNamesPathsAsGivenAndOnlyThoseThatExist() async throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/a/b/c", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/out", withIntermediateDirectories: true)
        scratch.write("a/b/c/w.json", Sheets.sample(count: 1))
        let nested = scratch.path + "/a/b/c"
        let absolute = try await Wsimg.run(
            ["generate", "w.json", "-o", scratch.path + "/out/worksheet.json", "--provider", "placeholder"], in: nested)
        #expect(absolute.code == 0, "\(absolute.stderr)")
        #expect(absolute.stderr.contains("→ \(scratch.path)/out/worksheet.json, \(scratch.path)/out/worksheet_images/ ("), "\(absolute.stderr)")
        let relative = try await Wsimg.run(["generate", "a/b/c/w.json", "-o", "out/r.json", "--provider", "placeholder"], in: scratch.path)
        #expect(relative.stderr.contains("→ out/r.json, out/r_images/ ("), "\(relative.stderr)")
        // Every picture is in w_images/: the embedded copy needs no x_images/, and the line names none.
        #expect(try await Wsimg.run(["generate", "w.json", "--provider", "placeholder"], in: nested).code == 0)
        let embedded = try await Wsimg.run(["generate", "w.json", "--embed", "-o", "x.json", "--provider", "placeholder"], in: nested)
        #expect(embedded.code == 0, "\(embedded.stderr)")
        #expect(!FileManager.default.fileExists(atPath: nested + "/x_images"))
        #expect(embedded.stderr.contains("→ x.json ("), "\(embedded.stderr)")
    }
}
