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

/// What scripts, CI jobs and Makefiles rely on: one report, folders made, stops that say why at
/// once, warnings that can fail a build, and messages that point at the fix.
@Suite struct ScriptableResultsTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    // MARK: 4–5. the report, and folders made as needed

    @Test func oneReportShapeForOneOrManyWorksheetsAlwaysWritten() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("a.json", Sheets.sample(count: 2))
        scratch.write("broken.json", #"{"pages": [}"#)
        let run = try await Wsimg.run(
            ["generate", "a.json", "broken.json", "missing.json", "--output-dir", "out/sheets", "--report", "reports/run.json"],
            in: scratch.path, environment: env(upstream))
        #expect(run.code == 2, "\(run.stderr)")
        let report = try JSONParser.parse(scratch.bytes("reports/run.json"))
        #expect(report["schema"]?.numberValue == 2)
        #expect(report["exit_code"]?.numberValue == 2)
        #expect(report["stop"]?.value == .null)
        #expect(report["totals"]?["requested"]?.numberValue == 2)
        #expect(report["totals"]?["generated"]?.numberValue == 2)
        let sheets = try #require(report["worksheets"]?.arrayValue)
        #expect(sheets.map { $0["worksheet"]?.stringValue } == ["a.json", "broken.json", "missing.json"])
        #expect(sheets[0]["output"]?.stringValue == "out/sheets/a.json")
        #expect(sheets[0]["images"]?.arrayValue?.count == 2)
        #expect(sheets[1]["error"]?.stringValue?.contains("not valid JSON") == true)
        #expect(sheets[2]["error"]?.stringValue?.contains("no such file") == true)
        #expect(scratch.exists("out/sheets/a.json"))

        // The same shape for one worksheet, to stdout; the summary stays on stderr.
        let single = try await Wsimg.run(["generate", "a.json", "-o", "x/y/z.json", "--report", "-"], in: scratch.path, environment: env(upstream))
        #expect(single.code == 0, "\(single.stderr)")
        let streamed = try JSONParser.parse(single.stdoutBytes)
        #expect(streamed["worksheets"]?.arrayValue?.count == 1)
        #expect(streamed["totals"]?["present"]?.numberValue == 2)
        #expect(single.stderr.contains("0 new, 2 already present"))

        // A run that stops before it starts still leaves its report.
        let stopped = try await Wsimg.run(["generate", "a.json", "--report", "r.json"], in: scratch.path, environment: ["WSIMG_CACHE_SIZE": "x"])
        #expect(stopped.code == 2)
        let early = try JSONParser.parse(scratch.bytes("r.json"))
        #expect(early["stop"]?["reason"]?.stringValue == "usage")
        #expect(early["exit_code"]?.numberValue == 2)
    }

    // MARK: 6. an unreachable service

    @Test func anUnreachableServiceStopsAtOnceWithOneLine() async throws {
        // A port nobody listens on, held for the test so no other test's server takes it.
        let refusing = try RefusingPort()
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 12))
        let run = try await Wsimg.run(
            ["generate", "w.json", "--no-progress"], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": refusing.baseURL])
        #expect(run.code == 2, "\(run.stderr)")
        #expect(run.stderr.contains("cannot reach 127.0.0.1"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count <= 3, "\(run.stderr)")
    }

    // MARK: 8. worksheets without image elements

    @Test func aWorksheetWithoutImageElementsWarnsAndStrictFails() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", #"{"pages":[{"elements":[{"type":"body-text","properties":{}},{"type":"Image-Placeholder","properties":{"imagePrompt":"cat"}}]}]}"#)
        let run = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder"], in: scratch.path)
        #expect(run.code == 0)
        #expect(run.stderr.contains("no image elements"), "\(run.stderr)")
        #expect(run.stderr.contains("1 body-text") && run.stderr.contains("\"Image-Placeholder\" is not \"image-placeholder\""), "\(run.stderr)")
        let strict = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder", "--strict"], in: scratch.path)
        #expect(strict.code == 1, "\(strict.stderr)")
    }

    // MARK: 9. several worksheets

    @Test func severalWorksheetsAreNamedInLinesAndTotalled() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/unit/week1", withIntermediateDirectories: true)
        scratch.write("unit/a.json", Sheets.sample(count: 1))
        scratch.write("unit/week1/b.json", Sheets.sample(count: 3))
        let plans = try await Wsimg.run(["prompts", "unit", "--recursive"], in: scratch.path)
        #expect(plans.stdout.contains("== unit/week1/b.json"), "\(plans.stdout)")
        #expect(plans.stdout.contains("== All 2 worksheets: 4 images, 0 present, 4 to generate; to generate: 4 images"), "\(plans.stdout)")
        let run = try await Wsimg.run(["generate", "unit", "--recursive", "--no-progress", "-v"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(try scratch.worksheet("unit/week1/b.json").placeholders.compactMap(\.url).count == 3)
        // Lines name their worksheet when a run has several.
        scratch.write("unit/c.json", Sheets.sample(count: 4).replacingOccurrences(of: "Сова", with: "Нова сова"))
        let lines = try await Wsimg.run(["generate", "unit", "--recursive"], in: scratch.path, environment: env(upstream))
        #expect(lines.stderr.contains("unit/c.json 1-0 ok"), "\(lines.stderr)")
    }

    // MARK: 10. honest display

    @Test func verboseWorksWithoutProgressAndRateLimitsAreNotFailures() async throws {
        let upstream = try FakeTogether { index, _ in index == 0 ? .status(429, body: "{}", headers: ["Retry-After": "0.1"]) : .none }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json", "--no-progress", "-v", "-j", "1"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("rate limited (429)") && run.stderr.contains("waiting, then asking again"), "\(run.stderr)")
        #expect(!run.stderr.contains("attempt 1 failed: rate limited"))
        #expect(run.stderr.contains("1 rate limited (waited"), "\(run.stderr)")
        let contradiction = try await Wsimg.run(["generate", "w.json", "-q", "-v"], in: scratch.path)
        #expect(contradiction.code == 2)
    }

    // MARK: 11. messages that point at the fix

    @Test func messagesPointAtTheFix() async throws {
        let scratch = try Scratch()
        scratch.write("Lesson.json", "{\n  \"pages\": [\n    {\"elements\": [,]}\n  ]\n}\n")
        let unknown = try await Wsimg.run(["generate", "Lesson.json", "--concurency", "2"], in: scratch.path)
        #expect(unknown.stderr.contains("Did you mean --concurrency? See 'wsimg help generate'."), "\(unknown.stderr)")
        let syntax = try await Wsimg.run(["generate", "Lesson.json", "--provider", "placeholder"], in: scratch.path)
        #expect(syntax.code == 2)
        let lines = syntax.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("wsimg: Lesson.json:3:19: unexpected character ','") == true, "\(syntax.stderr)")
        #expect(lines.count >= 3 && lines[1] == #"      {"elements": [,]}"# && lines[2] == "                    ^", "\(syntax.stderr)")
        let missing = try await Wsimg.run(["generate", "lesson.json", "--provider", "placeholder"], in: scratch.path)
        #expect(missing.code == 2)
        #expect(missing.stderr.contains("Did you mean Lesson.json?"), "\(missing.stderr)")
    }
}
