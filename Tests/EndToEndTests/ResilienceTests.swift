import FakeUpstream
import Foundation
import Synchronization
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

@Suite struct ResilienceTests {
    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    @Test(arguments: [SlidingWindowLimiter.Style.seconds, .fractionalSeconds, .milliseconds, .httpDate, .none])
    func honoursEveryRetryAfterFormWithoutUsingRetries(style: SlidingWindowLimiter.Style) async throws {
        let upstream = try FakeTogether(rateLimit: SlidingWindowLimiter(perSecond: 1, style: style))
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json", "-j", "2", "--retries", "0"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.rateLimitedCount >= 1)
        #expect(run.stderr.contains("waiting"))
        let sheet = try scratch.worksheet("w.json")
        #expect(sheet.placeholders.allSatisfy { $0.url != nil })
    }

    @Test func pacesTheWholeRunUnderARateLimit() async throws {
        let upstream = try FakeTogether(latency: 0.01, rateLimit: SlidingWindowLimiter(perSecond: 20))
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 40))
        let run = try await Wsimg.run(["generate", "w.json", "-j", "8", "--retries", "0"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(scratch.files(in: "w_images").count == 40)
        // Unpaced, 8 workers against 10 ms answers would be refused hundreds of times.
        #expect(upstream.rateLimitedCount < 40)
    }

    @Test func abandonsARequestThatHangsPastTheTimeout() async throws {
        let upstream = try FakeTogether { index, _ in index == 0 ? .hang : .none }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(["generate", "w.json", "--timeout", "0.5", "--backoff", "0", "-v"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("no answer within 0.5 s"))
        #expect(upstream.requestCount == 2)
    }

    @Test func deadlineBoundsTheRun() async throws {
        let upstream = try FakeTogether { index, _ in index == 0 ? .none : .hang }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json", "-j", "1", "--deadline", "1"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 1, "\(run.stderr)")
        #expect(run.stderr.contains("stopping: the --deadline of 1 s was reached"))
        #expect(run.stderr.contains("1 new, 0 already present, 0 failed, 1 not generated"))
        #expect(try scratch.worksheet("w.json").url("0-0") != nil)
    }

    @Test func outOfCreditStopsWithExitTwo() async throws {
        let upstream = try FakeTogether { _, _ in .status(402, body: #"{"error":{"message":"insufficient balance"}}"#) }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let run = try await Wsimg.run(["generate", "w.json", "-j", "1"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 2)
        #expect(run.stderr.contains("out of credit"))
        #expect(upstream.requestCount == 1)
    }

    @Test func rejectedPromptsAreNotRetriedAndSayWhy() async throws {
        let upstream = try FakeTogether { _, prompt in
            prompt.hasPrefix("Сова") ? .status(422, body: #"{"error":{"message":"prompt flagged by the safety filter"}}"#) : .none
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 1)
        #expect(run.stderr.contains("1-1 \"Picture 2\": request refused (422): prompt flagged by the safety filter"))
        #expect(upstream.requestCount == 3)
    }

    /// About a quarter of requests fail in every way the real API does; every image must still arrive.
    @Test func survivesAFaultyUpstream() async throws {
        let faults: [FakeTogether.Fault] = [
            .status(500, body: "{}"), .status(503, body: "busy"), .status(502, body: "<html>bad gateway</html>"),
            .status(429, body: "{}", headers: ["Retry-After": "0.1"]), .drop, .garbageBody, .invalidBase64,
            .truncatedPNG, .wrongSizePNG, .status(408, body: ""), .hang,
        ]
        let attempts = Mutex<[String: Int]>([:])
        let upstream = try FakeTogether { _, prompt in
            let attempt = attempts.withLock { seen in
                seen[prompt, default: 0] += 1
                return seen[prompt]!
            }
            let image = Int(prompt.split(separator: "#").last?.prefix(while: \.isNumber) ?? "") ?? 0
            // Every 4th image fails its first attempt; every 16th its first two. Deterministic, and within --retries 2.
            let failing = image % 16 == 0 ? 2 : (image % 4 == 0 ? 1 : 0)
            return attempt <= failing ? faults[(image / 4 + attempt) % faults.count] : .none
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 100))
        let run = try await Wsimg.run(["generate", "w.json", "-j", "8", "--timeout", "2", "--backoff", "0.05"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        let sheet = try scratch.worksheet("w.json")
        #expect(sheet.placeholders.count == 100)
        for placeholder in sheet.placeholders {
            let url = try #require(sheet.link(placeholder))
            try PNGValidator.validate(scratch.bytes(url), width: SizeRules.normalise(placeholder.width), height: SizeRules.normalise(placeholder.height))
        }
        #expect(scratch.files(in: "w_images").count == 100)
        #expect(upstream.requestCount > 120)
    }

    @Test func aKilledRunLeavesNothingBrokenAndTheNextRunFinishesTheJob() async throws {
        let secondRequestArrived = DispatchSemaphore(value: 0)
        let scratch = try Scratch()
        // One upstream for both runs (a picture is the API's it came from), hanging only in the first.
        let firstRun = Atomic<Bool>(true)
        let upstream = try FakeTogether { index, _ in
            guard index >= 1, firstRun.load(ordering: .relaxed) else { return .none }
            // The second request may leave while the first picture is still being checked: hold it
            // until that picture is in place, so the kill comes after exactly one is written.
            scratch.holdUntilPicture(in: "w_images")
            secondRequestArrived.signal()
            return .hang
        }
        let original = Sheets.sample(count: 3)
        scratch.write("w.json", original)
        defer { upstream.stop() }
        let started = try Wsimg.start(["generate", "w.json", "-j", "1"], in: scratch.path, environment: env(upstream))
        #expect(secondRequestArrived.wait(timeout: .now() + 60) == .success)
        let pid = started.process.processIdentifier
        kill(pid, SIGKILL)
        let killed = await Wsimg.finish(started)
        firstRun.store(false, ordering: .relaxed)
        #expect(killed.code != 0)
        #expect(scratch.read("w.json") == original)
        let written = scratch.files(in: "w_images")
        #expect(written.count == 1)
        // What a kill during a write would leave behind; the next run must remove it.
        scratch.write("w_images/.wsimg-\(pid)-AbCdEf.tmp", "partial")
        scratch.write(".wsimg-\(pid)-GhIjKl.tmp", "partial")

        let rerun = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(rerun.code == 0, "\(rerun.stderr)")
        #expect(upstream.requestCount == 2 + 2)
        #expect(scratch.files(in: "w_images").count == 3)
        #expect(!scratch.files(in: "w_images").contains { $0.hasPrefix(".wsimg-") })
        #expect(!scratch.files(in: ".").contains { $0.hasPrefix(".wsimg-") })
    }

    @Test func anUnwritableImagesFolderIsAClearErrorNamingIt() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        scratch.write("blocked", "a file where the folder should be")
        let run = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder", "--images-dir", "blocked/pics"], in: scratch.path)
        #expect(run.code == 2)
        #expect(run.stderr.contains("cannot create folder \(scratch.path)/blocked/pics"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(scratch.read("w.json") == Sheets.sample(count: 1))
    }

    @Test func anUnwritableWorksheetIsAClearErrorAndExitOneWhenImagesWereMade() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder", "-o", "/proc/wsimg-out.json", "--images-dir", "pics"], in: scratch.path)
        #expect(run.code == 1)
        #expect(run.stderr.contains("cannot write /proc/wsimg-out.json"), "\(run.stderr)")
    }

    @Test func aWorksheetCannotMakeItWriteElsewhere() async throws {
        let scratch = try Scratch()
        let sheet = #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"cat","url":"w_images/../../escape/0-0-aaaaaaaaaaaa.png"}},{"type":"image-placeholder","properties":{"imagePrompt":"dog","width":"../../x"}}]}]}"#
        scratch.write("w.json", sheet)
        let run = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder", "--force"], in: scratch.path)
        #expect(run.code == 1)
        #expect(scratch.files(in: ".").filter { !$0.hasPrefix(".std") } == ["w.json", "w_images"])
        #expect(scratch.files(in: "w_images").count == 1)
        #expect(scratch.files(in: "w_images").allSatisfy { $0.hasPrefix("0-0-") })
    }
}
