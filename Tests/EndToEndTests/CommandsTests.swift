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

@Suite struct CommandsTests {
    @Test func promptsListsRequestsWithoutKeyOrNetwork() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let before = try await Wsimg.run(["prompts", "w.json"], in: scratch.path)
        #expect(before.code == 0, "\(before.stderr)")
        #expect(before.stdout.contains("#1   0-0    400×304    missing  \"Picture 0\"\n                                Веселий кіт грає з клубком"))
        #expect(before.stdout.contains("2 images: 0 present, 2 to generate\n"))
        #expect(before.stdout.contains("To generate: 2 images, 0.3 MP, ≈ $0.00086 at $0.0027/MP (FLUX.1 schnell, 4 steps; set WSIMG_PRICE_PER_MP)\n"))
        #expect(before.stdout.hasSuffix("Statuses are for --provider together (black-forest-labs/FLUX.1-schnell, 4 steps).\n"))
        #expect(before.stderr.isEmpty)
        #expect(scratch.files(in: ".").filter { !$0.hasPrefix(".std") } == ["w.json"])

        let upstream = try FakeTogether()
        defer { upstream.stop() }
        _ = try await Wsimg.run(
            ["generate", "w.json"], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL])
        // The statuses are for the API the pictures came from (the base URL is part of what a picture is).
        let after = try await Wsimg.run(["prompts", "w.json", "--json"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(after.code == 0)
        let items = try #require(try JSONParser.parse(after.stdoutBytes).arrayValue)
        #expect(items.map { $0["status"]?.stringValue } == ["present", "present"])
        #expect(items[0]["width"]?.numberValue == 400 && items[0]["height"]?.numberValue == 304)
        #expect(items[0]["prompt"]?.stringValue == "Веселий кіт грає з клубком")
        // Other options, other pictures: the same command says they are missing.
        let otherSteps = try await Wsimg.run(["prompts", "w.json", "--steps", "8"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(otherSteps.stdout.contains("0 present, 2 to generate"))
        #expect(otherSteps.stdout.contains("2 linked pictures were made with other settings"))
        #expect(otherSteps.stderr.contains("--steps 8 costs 2× as much"))
        let priced = try await Wsimg.run(["prompts", "w.json", "--model", "some/other"], in: scratch.path, environment: ["WSIMG_PRICE_PER_MP": "0.01"])
        #expect(priced.stdout.contains("≈ $0.0032 at $0.010/MP (WSIMG_PRICE_PER_MP)"))
        let unknown = try await Wsimg.run(["prompts", "w.json", "--model", "some/other"], in: scratch.path)
        #expect(unknown.stdout.contains("2 images, 0.3 MP (no price known for some/other; set WSIMG_PRICE_PER_MP)"))
    }

    @Test func dryRunSaysWhatWouldHappenAndDoesNothing() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        _ = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder"], in: scratch.path)
        scratch.write("w.json", scratch.read("w.json").replacingOccurrences(of: "Сова", with: "Їжак"))
        let before = scratch.bytes("w.json")
        let dry = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder", "--dry-run"], in: scratch.path)
        #expect(dry.code == 0)
        #expect(dry.stdout.contains("skip     0-0"))
        #expect(dry.stdout.contains("generate 1-1    608×400    \"Picture 2\""))
        #expect(dry.stdout.contains("Would generate 1 of 3 images"))
        #expect(scratch.bytes("w.json") == before)
        #expect(scratch.files(in: "w_images").count == 3)
    }

    @Test func reportDescribesEveryImageEvenWhenSomeFail() async throws {
        let upstream = try FakeTogether { _, prompt in prompt.hasPrefix("Friendly") ? .status(422, body: #"{"error":{"message":"nsfw"}}"#) : .none }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let run = try await Wsimg.run(
            ["generate", "w.json", "--report", "out/report.json"], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL])
        #expect(run.code == 1 || run.code == 2)
        _ = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder", "--report", "report.json"], in: scratch.path)
        let report = try JSONParser.parse(scratch.bytes("report.json"))
        #expect(report["tool"]?.stringValue == "wsimg")
        #expect(report["provider"]?.stringValue == "placeholder")
        #expect(report["totals"]?["requested"]?.numberValue == 3)
        #expect(report["totals"]?["generated"]?.numberValue == 3)
        #expect(report["totals"]?["skipped"]?.numberValue == 0)
        #expect(report["exit_code"]?.numberValue == 0)
        let images = try #require(report["worksheets"]?.arrayValue?.first?["images"]?.arrayValue)
        #expect(images.map { $0["status"]?.stringValue } == ["ok", "ok", "ok"])
        #expect(images[0]["caption"]?.stringValue == "Picture 0")
        #expect(images[0]["attempts"]?.numberValue == 1)

        let failing = try await Wsimg.run(
            ["generate", "w.json", "--report", "report.json", "--force"], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL])
        #expect(failing.code == 1)
        let second = try JSONParser.parse(scratch.bytes("report.json"))
        #expect(second["totals"]?["failed"]?.numberValue == 1)
        #expect(second["exit_code"]?.numberValue == 1)
        let failed = try #require(second["worksheets"]?.arrayValue?.first?["images"]?.arrayValue?.first { $0["status"]?.stringValue == "failed" })
        #expect(failed["id"]?.stringValue == "0-2")
        #expect(failed["error"]?.stringValue == "request refused (422): nsfw")
    }

    @Test func validateChecksFilesFoldersAndWorksheets() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        _ = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder"], in: scratch.path)
        let good = try await Wsimg.run(["validate", "w_images", "--worksheet", "w.json"], in: scratch.path)
        #expect(good.code == 0, "\(good.stdout)")
        #expect(good.stdout.isEmpty)
        #expect(good.stderr == "Checked 4 images: all valid PNGs.\n")

        let sheet = try scratch.worksheet("w.json")
        let url = try #require(sheet.url("1-0"))
        let bytes = scratch.bytes(url)
        _ = FileManager.default.createFile(atPath: scratch.path + "/" + url, contents: Data(bytes.prefix(bytes.count - 30)))
        scratch.write("notes.png", "not really")
        let bad = try await Wsimg.run(["validate", ".", "--worksheet", "w.json"], in: scratch.path)
        #expect(bad.code == 1)
        let lines = bad.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("./notes.png: not a PNG image (unknown data)"))
        #expect(lines.contains("./\(url): the PNG image is cut off"))
        #expect(lines.contains("w.json 1-0: the PNG image is cut off"))
        #expect(lines.count == 3)
    }

    @Test func validateFindsWrongSizesAndMissingPictures() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        _ = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder"], in: scratch.path)
        // The teacher changed a size after generating: the picture no longer fits.
        scratch.write(
            "w.json",
            scratch.read("w.json").replacingOccurrences(of: #""width": 400"#, with: #""width": 800"#)
                .replacingOccurrences(of: #""url": "w_images/1-0"#, with: #""ur": "w_images/1-0"#))
        let run = try await Wsimg.run(["validate", "--worksheet", "w.json"], in: scratch.path)
        #expect(run.code == 1)
        #expect(run.stdout.contains("w.json 0-0: the image is 400×304, expected 800×304"))
        #expect(run.stdout.contains("w.json 1-0: no picture (no url)"))
    }

    @Test(arguments: [
        ["--help"], ["help"], ["help", "generate"], ["generate", "--help"], ["help", "prompts"], ["prompts", "--help"],
        ["help", "validate"], ["validate", "--help"],
    ])
    func helpIsAvailableEveryWay(arguments: [String]) async throws {
        let scratch = try Scratch()
        let run = try await Wsimg.run(arguments, in: scratch.path)
        #expect(run.code == 0)
        #expect(run.stdout.hasPrefix("Usage") || run.stdout.hasPrefix("wsimg "))
        #expect(run.stderr.isEmpty)
    }

    @Test func helpListsEveryGenerateOptionAndVariable() async throws {
        let scratch = try Scratch()
        let help = try await Wsimg.run(["help", "generate"], in: scratch.path).stdout
        for spec in GenerateOptions.specs where spec.longName != "--api-key" {
            #expect(help.contains(spec.longName), "\(spec.longName)")
        }
        for variable in ["TOGETHER_API_KEY", "TOGETHER_API_KEY_FILE", "TOGETHER_BASE_URL", "WSIMG_ENDPOINT", "WSIMG_ENDPOINT_TOKEN", "COLUMNS", "NO_COLOR"] {
            #expect(help.contains(variable), "\(variable)")
        }
    }
}
