import FakeUpstream
import Foundation
import Testing
import WsimgBasics
import WsimgJSON

/// Bugs found while reading the code for the layering (issue 25), each failing before its fix.
@Suite struct LayersBugTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    /// A variant's request refused (400): a failure in the closing line, the report and the exit code.
    @Test func aFailedVariantIsCountedEverywhere() async throws {
        let upstream = try FakeTogether { index, _ in index == 0 ? .none : .status(400, body: #"{"error":{"message":"no more"}}"#) }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(
            ["generate", "w.json", "--variants", "2", "-j", "1", "--report", "r.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 1, "\(run.stderr)")
        #expect(run.stderr.contains("1 new, 0 already present, 1 failed"), "\(run.stderr)")
        #expect(run.stderr.contains("0-0 (variant seed "), "\(run.stderr)")
        let report = try JSONParser.parse(scratch.bytes("r.json"))
        #expect(report["totals"]?["failed"]?.numberValue == 1, "\(scratch.read("r.json"))")
        let images = report["worksheets"]?.arrayValue?.first?["images"]?.arrayValue ?? []
        #expect(images.contains { $0["status"]?.stringValue == "failed" && $0["note"]?.stringValue?.hasPrefix("variant") == true })
    }

    /// `pick` sends nothing, so it needs no key.
    @Test func pickNeedsNoKey() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        #expect(try await Wsimg.run(["generate", "w.json", "--variants", "2"], in: scratch.path, environment: env(upstream)).code == 0)
        let pick = try await Wsimg.run(["pick", "w.json", "0-0", "2"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(pick.code == 0, "\(pick.stderr)")
        #expect(upstream.requestCount == 2)
    }

    @Test func promptsWithoutAWorksheetNamesItself() async throws {
        let scratch = try Scratch()
        let run = try await Wsimg.run(["prompts"], in: scratch.path)
        #expect(run.code == 2)
        #expect(run.stderr.contains("wsimg prompts WORKSHEET"), "\(run.stderr)")
    }

    /// `--strict` counts warnings as they are printed, never by reading a message's text: a note
    /// about a file whose name reads like a warning is no warning.
    @Test func strictCountsWarningsNotTextThatLooksLikeOne() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/lessons", withIntermediateDirectories: true)
        scratch.write("lessons/a.json", Sheets.sample(count: 1))
        scratch.write("lessons/x: warning: y.json", #"{"name": "not a worksheet"}"#)
        let run = try await Wsimg.run(["generate", "lessons", "--strict"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("skipping lessons/x: warning: y.json"), "\(run.stderr)")
    }

    /// `validate --worksheet` and `--prune` call the same pictures orphans: a picture of an element's
    /// current prompt whose link was lost (the worksheet saved again without it), listed in no manifest, is
    /// no orphan to either.
    @Test func validateAndPruneAgreeOnOrphans() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let original = Sheets.sample(count: 2)
        scratch.write("w.json", original)
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        scratch.write("w.json", original)
        // And no manifest lists them (pictures made before 0.5, or a manifest deleted).
        #expect(unlink(scratch.path + "/w_images/.wsimg-redo.json") == 0)
        let validate = try await Wsimg.run(["validate", "--worksheet", "w.json"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(!validate.stderr.contains("belongs to no element"), "\(validate.stderr)")
        let prune = try await Wsimg.run(["generate", "w.json", "--prune"], in: scratch.path, environment: env(upstream))
        #expect(prune.code == 0 && !prune.stderr.contains("deleted"), "\(prune.stderr)")
        #expect(upstream.requestCount == 2)
        #expect(try scratch.worksheet("w.json").placeholders.allSatisfy { $0.url != nil })
    }

    /// The orphan note asks the plan, which reads the settings; a setting it cannot use costs the note,
    /// not the validation.
    @Test func aBadSettingDoesNotFailValidation() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        #expect(try await Wsimg.run(["generate", "w.json", "--provider", "placeholder"], in: scratch.path).code == 0)
        let run = try await Wsimg.run(["validate", "--worksheet", "w.json"], in: scratch.path, environment: ["TOGETHER_BASE_URL": "ftp://nowhere"])
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Checked 1 image: all valid PNGs."), "\(run.stderr)")
    }

    /// `#N` is the Nth image element in every command, an element with no prompt counted too.
    @Test func numbersMeanTheSameElementInEveryCommand() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let empty = IdentityTests.element(.webApp, id: "empty", type: "image-placeholder", properties: #"{"imagePrompt":"","width":512,"height":384}"#)
        let text = IdentityTests.sheet(.webApp, prompts: ["A cat", "An owl"])
        scratch.write("w.json", text.replacingOccurrences(of: #"{"id":"element-0-img-1"#, with: empty + #",{"id":"element-0-img-1"#))
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        let owl = "element-0-img-1-1763629200000-k3j9x2a"
        let redo = try await Wsimg.run(["generate", "w.json", "--redo", "#3"], in: scratch.path, environment: env(upstream))
        #expect(redo.code == 0, "\(redo.stderr)")
        let listed = try await Wsimg.run(["candidates", "w.json", "#3"], in: scratch.path, environment: env(upstream))
        #expect(listed.code == 0 && listed.stdout.hasPrefix("#3 " + owl), "\(listed.stdout)\(listed.stderr)")
        let pick = try await Wsimg.run(["pick", "w.json", "#3", "1"], in: scratch.path, environment: env(upstream))
        #expect(pick.code == 0 && pick.stderr.contains("\(owl): candidate 1 of 2"), "\(pick.stderr)")
        let skipped = try await Wsimg.run(["pick", "w.json", "#2", "1"], in: scratch.path, environment: env(upstream))
        #expect(skipped.code == 2 && skipped.stderr.contains("asks for no picture"), "\(skipped.stderr)")
    }
}
