import Foundation
import Testing
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

@Suite struct BadInputTests {
    @Test(arguments: [
        ("not json {", "w.json:1:1: unexpected character 'n' (the worksheet is not valid JSON)"),
        ("{\n  \"pages\": [\n    {,}\n  ]\n}", "w.json:3:6: "),
        (#"{"title": "no pages"}"#, "this is not a worksheet: it has no \"pages\" array"),
        ("[]", "this is not a worksheet: the top level is an array"),
        ("", "w.json:1:1: the file is empty"),
    ])
    func rejectsBadWorksheetsWithOneLine(text: String, message: String) async throws {
        let scratch = try Scratch()
        scratch.write("w.json", text)
        let run = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder"], in: scratch.path)
        #expect(run.code == 2)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        // One line, or (a syntax error) one line followed by the place: the line and a caret.
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 || (lines.count == 3 && lines[2].hasSuffix("^")), "\(run.stderr)")
        #expect(scratch.read("w.json") == text)
        #expect(scratch.files(in: ".").filter { !$0.hasPrefix(".std") } == ["w.json"])
    }

    @Test func missingFile() async throws {
        let scratch = try Scratch()
        let run = try await Wsimg.run(["generate", "nope.json", "--provider", "placeholder"], in: scratch.path)
        #expect(run.code == 2)
        #expect(run.stderr == "wsimg: cannot read worksheet nope.json: no such file\n")
    }

    @Test(arguments: [
        (["generate", "w.json", "-j", "0"], "--concurrency must be a whole number from 1 to 64, not '0'"),
        (["generate", "w.json", "--steps", "abc"], "--steps must be a whole number"),
        (["generate", "w.json", "--concurency", "3"], "Unknown option --concurency. Did you mean --concurrency?"),
        (["generat", "w.json"], "Unknown command 'generat'. Did you mean 'generate'?"),
        (["generate", "w.json", "--api-key", "abc"], "There is no --api-key option"),
    ])
    func rejectsBadOptions(arguments: [String], message: String) async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(arguments, in: scratch.path)
        #expect(run.code == 2)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(!scratch.exists("w_images"))
    }

    @Test func brokenElementsFailAloneWithTheirID() async throws {
        let scratch = try Scratch()
        let sheet = #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":""}},{"type":"image-placeholder","properties":{"imagePrompt":"ok","width":-3}},{"type":"image-placeholder","properties":{"imagePrompt":"fine"}}]}]}"#
        scratch.write("w.json", sheet)
        let run = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder"], in: scratch.path)
        #expect(run.code == 1)
        #expect(!run.stderr.contains("0-0:"))
        #expect(run.stderr.contains("0-1: width must not be negative"))
        #expect(run.stderr.contains("1 new, 0 already present, 1 skipped (no prompt), 1 failed → w.json, w_images/ ("))
    }

    @Test func refusesPlainHTTPToOtherHosts() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(
            ["generate", "w.json"], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": "http://api.example.com"])
        #expect(run.code == 2)
        #expect(run.stderr.contains("--allow-insecure-http"))
        #expect(!run.stderr.contains(Wsimg.secret))
    }

    @Test func helpAndVersion() async throws {
        let scratch = try Scratch()
        let version = try await Wsimg.run(["--version"], in: scratch.path)
        #expect(version.code == 0 && version.stdout.hasPrefix("wsimg "))
        let help = try await Wsimg.run(["generate", "--help"], in: scratch.path)
        #expect(help.code == 0)
        for word in ["--output", "--concurrency", "TOGETHER_API_KEY", "TOGETHER_BASE_URL", "130"] {
            #expect(help.stdout.contains(word))
        }
        #expect(!help.stdout.contains("--api-key"))
    }
}
