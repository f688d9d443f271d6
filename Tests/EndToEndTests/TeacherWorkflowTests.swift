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

/// The web app's worksheets and a teacher's loop: embedded pictures, skipped prompts, the generator's
/// envelope, stdin.
@Suite struct TeacherWorkflowTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    @Test func embeddedPicturesCarryTheirKeyAndAnEditedPromptIsRegeneratedWithoutEmbed() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        #expect(try await Wsimg.run(["generate", "w.json", "--embed"], in: scratch.path, environment: env(upstream)).code == 0)
        let embedded = try scratch.worksheet("w.json")
        for placeholder in embedded.placeholders {
            let url = try #require(embedded.link(placeholder))
            let file = try #require(scratch.files(in: "w_images").first { $0.hasPrefix(placeholder.id + "-") })
            #expect(PictureMark.key(inDataURL: url) == String(file.dropFirst(placeholder.id.count + 1).dropLast(4)))
        }
        let oldFile = try #require(scratch.files(in: "w_images").first { $0.hasPrefix("0-2-") })
        // The teacher edits one prompt and runs without --embed: one request, the rest become file links.
        scratch.write("w.json", scratch.read("w.json").replacingOccurrences(of: "Friendly dinosaur", with: "Sleepy dinosaur"))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 4)
        #expect(upstream.requests.last?.prompt.hasPrefix("Sleepy dinosaur") == true)
        let sheet = try scratch.worksheet("w.json")
        #expect(sheet.placeholders.allSatisfy { $0.url?.hasPrefix("w_images/") == true })
        // The old picture stays, a candidate of the old prompt, until --prune.
        #expect(scratch.exists("w_images/" + oldFile))
        #expect(try await Wsimg.run(["generate", "w.json", "--prune"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(!scratch.exists("w_images/" + oldFile))
        #expect(scratch.files(in: "w_images").count == 3)
    }

    @Test func switchingBetweenEmbeddedAndFilesCostsNoRequest() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(try await Wsimg.run(["generate", "w.json", "--embed"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(try scratch.worksheet("w.json").placeholders.allSatisfy { $0.url?.hasPrefix("data:image/png;base64,") == true })
        // Even with the images folder gone, the embedded pictures are written back, not asked for again.
        try FileManager.default.removeItem(atPath: scratch.path + "/w_images")
        let back = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(back.code == 0, "\(back.stderr)")
        #expect(upstream.requestCount == 2)
        let validate = try await Wsimg.run(["validate", "--worksheet", "w.json"], in: scratch.path)
        #expect(validate.code == 0, "\(validate.stdout)")
        #expect(try scratch.worksheet("w.json").placeholders.allSatisfy { $0.url?.hasPrefix("w_images/") == true })
    }

    @Test func emptyNullOrMissingPromptsAreSkippedAsTheWebAppDoes() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"a cat"}},{"type":"image-placeholder","properties":{"imagePrompt":""}},{"type":"image-placeholder","properties":{"imagePrompt":null}},{"type":"image-placeholder","properties":{"caption":"later"}}]}]}"#)
        let run = try await Wsimg.run(["generate", "w.json", "--report", "r.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 1)
        #expect(run.stderr.contains("1 new, 0 already present, 3 skipped (no prompt), 0 failed"))
        let report = scratch.read("r.json")
        #expect(report.contains(#""skipped": 3"#) && report.contains(#""note": "no imagePrompt""#))
        let prompts = try await Wsimg.run(["prompts", "w.json"], in: scratch.path)
        #expect(prompts.stdout.contains("#2   0-1    -          skipped"))
        #expect(prompts.stdout.contains("3 skipped (no prompt)"))
    }

    @Test func theGeneratorsEnvelopeIsReadAndWrittenInTheSameShape() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let text = #"{"success": true, "data": {"worksheet": {"title": "T", "pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "owl", "width": 300}}]}]}}}"#
        scratch.write("w.json", text)
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        let written = scratch.read("w.json")
        #expect(written.hasPrefix(#"{"success": true, "data": {"worksheet": {"title": "T", "pages": [{"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "owl", "width": 300, "url": "w_images/0-0-"#))
    }

    @Test func aWorksheetFromStdin() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("in.json", Sheets.sample(count: 1))
        let refused = try await Wsimg.run(["generate", "-"], in: scratch.path, environment: env(upstream))
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("needs -o FILE"))
        let run = try await Wsimg.run(
            ["generate", "-", "--images-dir", "pics", "-q"], in: scratch.path, environment: env(upstream), stdin: scratch.path + "/in.json")
        #expect(run.code == 0, "\(run.stderr)")
        let sheet = try Worksheet(source: run.stdoutBytes)
        #expect(sheet.placeholders.first?.url?.hasPrefix("pics/0-0-") == true)
        #expect(scratch.files(in: "pics").count == 1)
    }
}

@Suite struct RedoTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    @Test func redoMakesOneNewPictureThatLaterRunsKeep() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        let first = try #require(try scratch.worksheet("w.json").url("0-2"))
        let firstSeed = try #require(upstream.requests.first { $0.prompt.hasPrefix("Friendly") }?.seed)

        let redo = try await Wsimg.run(["generate", "w.json", "--redo", "0-2"], in: scratch.path, environment: env(upstream))
        #expect(redo.code == 0, "\(redo.stderr)")
        #expect(upstream.requestCount == 4)
        let redone = try #require(upstream.requests.last)
        #expect(redone.prompt.hasPrefix("Friendly") && redone.seed != firstSeed)
        let second = try #require(try scratch.worksheet("w.json").url("0-2"))
        #expect(second != first)
        // The first picture stays, a candidate to pick again.
        #expect(scratch.exists(first) && scratch.exists(second))

        // Later runs keep the redone picture: no request, same file.
        let again = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(again.code == 0)
        #expect(upstream.requestCount == 4)
        #expect(try scratch.worksheet("w.json").url("0-2") == second)
        let prompts = try await Wsimg.run(["prompts", "w.json"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(prompts.stdout.contains("3 images: 3 present, 0 to generate"))

        // A new prompt is a new picture: the redo seed no longer applies.
        scratch.write("w.json", scratch.read("w.json").replacingOccurrences(of: "Friendly dinosaur", with: "Sleepy dinosaur"))
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(upstream.requestCount == 5)
        #expect(RedoManifest.load(from: scratch.path + "/w_images").seeds["0-2"] == nil)
        // Its pictures for the old prompt stay until --prune.
        #expect(scratch.exists(first) && scratch.exists(second))
        #expect(try await Wsimg.run(["generate", "w.json", "--prune"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(!scratch.exists(first) && !scratch.exists(second))
        #expect(RedoManifest.load(from: scratch.path + "/w_images").candidates["0-2"]?.count == 1)
    }

    @Test func redoNamesTheIDsThereAre() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json", "--redo", "7-7", "--provider", "placeholder"], in: scratch.path)
        #expect(run.code == 2)
        #expect(run.stderr.contains("--redo 7-7: no image element with that id (ids: #1 0-0, #2 1-0)"), "\(run.stderr)")
        #expect(!scratch.exists("w_images"))
    }
}

@Suite struct MakefileExampleTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples/Makefile.example").path

    func make(in scratch: Scratch, _ upstream: FakeTogether) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        process.arguments = ["-s", "-f", Self.example, "WSIMG=\(Wsimg.binary)"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        process.environment = ["PATH": "/usr/bin:/bin", "TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return await (try Wsimg.launch(process)).value
    }

    /// A partial failure must not leave an up-to-date target: the next `make` retries what is missing.
    @Test func aPartialFailureLeavesNoUpToDateTarget() async throws {
        let upstream = try FakeTogether { index, prompt in
            prompt.hasPrefix("Friendly") && index < 3 ? .status(400, body: #"{"error":{"message":"try later"}}"#) : .none
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/worksheets", withIntermediateDirectories: true)
        scratch.write("worksheets/lesson.json", Sheets.sample(count: 3))
        #expect(try await make(in: scratch, upstream) != 0)
        #expect(!scratch.exists("build/lesson.json"))
        #expect(scratch.files(in: "build/lesson_images").count == 2)
        #expect(try await make(in: scratch, upstream) == 0)
        #expect(try scratch.worksheet("build/lesson.json").placeholders.compactMap(\.url).count == 3)
        #expect(upstream.requestCount == 4)
        #expect(try await make(in: scratch, upstream) == 0)
        #expect(upstream.requestCount == 4)
    }
}

@Suite struct RunWideErrorTests {
    /// A refused key is one line and a count, not a line per image.
    @Test func aRefusedKeyIsOneLineNotOnePerImage() async throws {
        let upstream = try FakeTogether { _, _ in .status(401, body: #"{"error":{"message":"Invalid API key"}}"#) }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 12))
        let run = try await Wsimg.run(
            ["generate", "w.json"], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL])
        #expect(run.code == 2)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(run.stderr)")
        #expect(lines.first?.hasPrefix("stopping: the API key was refused (401): Invalid API key") == true)
        // Running it again cannot help, and nothing was written (review 3, items 5 and 13).
        #expect(lines.last?.hasPrefix("0 new, 0 already present, 0 failed, 12 not generated → nothing written (") == true, "\(run.stderr)")
        #expect(!run.stderr.contains("run the same command"))
    }
}

@Suite struct ConcurrentRunTests {
    /// Two runs on the same worksheet: the second waits (or, with --no-wait, refuses) and then finds
    /// the first run's pictures present, so each picture is paid for once.
    @Test func aSecondRunWaitsAndPaysForNothing() async throws {
        let arrived = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let upstream = try FakeTogether { index, _ in
            if index == 0 {
                arrived.signal()
                release.wait()
            }
            return .none
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let env = ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
        let first = try Wsimg.start(["generate", "w.json", "-j", "1"], in: scratch.path, environment: env)
        await arrived.waitWithoutBlocking()

        let refused = try await Wsimg.run(["generate", "w.json", "--no-wait"], in: scratch.path, environment: env)
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("another wsimg run (pid \(first.process.processIdentifier)) is generating into"))

        let second = try Wsimg.start(["generate", "w.json"], in: scratch.path, environment: env)
        // The second run says it waits; then the first may go on.
        for _ in 0..<1000 where !((try? String(contentsOfFile: second.stderrPath, encoding: .utf8)) ?? "").contains("waiting for another wsimg run") {
            usleep(10_000)
        }
        release.signal()
        let firstRun = await Wsimg.finish(first)
        let secondRun = await Wsimg.finish(second)
        #expect(firstRun.code == 0 && secondRun.code == 0, "\(secondRun.stderr)")
        #expect(secondRun.stderr.contains("waiting for another wsimg run"))
        #expect(secondRun.stderr.contains("0 new, 3 already present"))
        #expect(upstream.requestCount == 3)
    }
}

@Suite struct PictureCacheTests {
    @Test func worksheetsShareOneCacheAcrossFoldersAndRuns() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        for folder in ["a", "b", "c"] {
            try FileManager.default.createDirectory(atPath: scratch.path + "/" + folder, withIntermediateDirectories: true)
            scratch.write(folder + "/lesson.json", Sheets.sample(count: 3))
        }
        let env = ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL, "WSIMG_CACHE_DIR": scratch.path + "/cache"]
        #expect(try await Wsimg.run(["generate", "a/lesson.json"], in: scratch.path, environment: env).code == 0)
        #expect(upstream.requestCount == 3)
        let second = try await Wsimg.run(["generate", "b/lesson.json"], in: scratch.path, environment: env)
        #expect(second.code == 0, "\(second.stderr)")
        #expect(upstream.requestCount == 3)
        #expect(second.stderr.contains("0 new, 3 already present (3 from the cache)"))
        let validate = try await Wsimg.run(["validate", "--worksheet", "b/lesson.json"], in: scratch.path)
        #expect(validate.code == 0, "\(validate.stdout)")
        #expect(scratch.exists("cache/CACHEDIR.TAG"))
        // Cached files are read-only; the copies in images folders are not.
        let cached = try #require(FileManager.default.subpaths(atPath: scratch.path + "/cache/v1/png")?.first { $0.hasSuffix(".png") })
        var info = stat()
        #expect(stat(scratch.path + "/cache/v1/png/" + cached, &info) == 0 && info.st_mode & 0o777 == 0o444)
        let copy = try #require(scratch.files(in: "b/lesson_images").first)
        #expect(stat(scratch.path + "/b/lesson_images/" + copy, &info) == 0 && info.st_mode & 0o200 != 0)
        #expect(try await Wsimg.run(["generate", "c/lesson.json", "--no-cache"], in: scratch.path, environment: env).code == 0)
        #expect(upstream.requestCount == 6)
    }
}

@Suite struct ManyWorksheetsTests {
    func sheet(_ prompts: [String]) -> String {
        let elements = prompts.map { #"{"type":"image-placeholder","properties":{"imagePrompt":\#(JSONWriter.quoted($0)),"width":256,"height":256}}"# }
        return #"{"pages":[{"elements":[\#(elements.joined(separator: ","))]}]}"#
    }

    @Test func severalWorksheetsRunAsOneJobAndShareIdenticalRequests() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/lessons", withIntermediateDirectories: true)
        scratch.write("lessons/a.json", sheet(["owl", "cat", "sun"]))
        scratch.write("lessons/b.json", sheet(["owl", "cat", "moon"]))
        let env = ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
        let plans = try await Wsimg.run(["prompts", "lessons"], in: scratch.path)
        #expect(plans.stdout.contains("== lessons/a.json\n") && plans.stdout.contains("== lessons/b.json\n"))
        #expect(plans.stdout.components(separatedBy: "3 images: 0 present, 3 to generate").count == 3)
        let run = try await Wsimg.run(["generate", "lessons", "--report", "r.json"], in: scratch.path, environment: env)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 4)
        for name in ["a", "b"] {
            let validate = try await Wsimg.run(["validate", "--worksheet", "lessons/\(name).json"], in: scratch.path)
            #expect(validate.code == 0, "\(validate.stdout)")
            #expect(run.stderr.contains("→ lessons/\(name).json, lessons/\(name)_images/"))
        }
        let report = scratch.read("r.json")
        #expect(report.contains(#""worksheet": "lessons/a.json""#) && report.contains(#""worksheet": "lessons/b.json""#))
        #expect(report.contains(#""requested": 6"#))
    }

    @Test func badInputFailsThatWorksheetAloneAndOutputDirCollectsTheRest() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("good.json", sheet(["owl"]))
        scratch.write("bad.json", "{ not json")
        try FileManager.default.createDirectory(atPath: scratch.path + "/out", withIntermediateDirectories: true)
        let env = ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
        let run = try await Wsimg.run(["generate", "good.json", "bad.json", "--output-dir", "out"], in: scratch.path, environment: env)
        #expect(run.code == 2)
        #expect(run.stderr.contains("bad.json"))
        #expect(try scratch.worksheet("out/good.json").placeholders.first?.url?.hasPrefix("good_images/") == true)
        #expect(scratch.files(in: "out/good_images").count == 1)
        #expect(!scratch.exists("out/bad.json"))
        let refused = try await Wsimg.run(["generate", "good.json", "bad.json", "-o", "x.json"], in: scratch.path, environment: env)
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("--output-dir"))
    }
}
