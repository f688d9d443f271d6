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

/// Pacing by what the API says, end to end.
@Suite struct RatePacingTests {
    /// While the limit is unknown the run opens with one request: the second leaves only once the
    /// first is answered (slow start), whatever `-j` allows.
    @Test func theOpeningIsOneRequestNotABurst() async throws {
        let arrivals = Mutex<[Double]>([])
        let upstream = try FakeTogether(latency: 0.3) { _, _ in
            arrivals.withLock { $0.append(ProcessInfo.processInfo.systemUptime) }
            return .none
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 4))
        let run = try await Wsimg.run(
            ["generate", "w.json", "-j", "8"], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL, "XDG_RUNTIME_DIR": scratch.path])
        #expect(run.code == 0, "\(run.stderr)")
        let times = arrivals.withLock { $0 }.sorted()
        #expect(times.count == 4)
        // The first answer takes 0.3 s to come back; nothing else may arrive before it.
        #expect(times[1] - times[0] >= 0.29, "\(times)")
    }

    /// With Together's headers the run keeps to the limit from the first answer on, and the next
    /// `prompts` knows how long the rest would take.
    @Test func headersSetThePaceAndThePlanKnowsTheTime() async throws {
        let upstream = try FakeTogether(latency: 0.05, rateLimit: SlidingWindowLimiter(perSecond: 6, sendsHeaders: true))
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 12))
        let environment = ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL, "XDG_RUNTIME_DIR": scratch.path]
        let run = try await Wsimg.run(["generate", "w.json", "-j", "16", "--report", "r.json"], in: scratch.path, environment: environment)
        #expect(run.code == 0, "\(run.stderr)")
        // Paced at the headers' 6/s (less a margin), a sliding window of one second is not exceeded.
        #expect(upstream.rateLimitedCount <= 1, "\(run.stderr)")
        let report = try JSONParser.parse(scratch.bytes("r.json"))
        #expect(report["totals"]?["rate_limited"]?.numberValue == Double(upstream.rateLimitedCount))
        scratch.write("more.json", Sheets.sample(count: 12).replacingOccurrences(of: "Picture", with: "Bild").replacingOccurrences(of: "dinosaur", with: "dragon"))
        let plan = try await Wsimg.run(["prompts", "more.json"], in: scratch.path, environment: environment)
        #expect(plan.stdout.contains("requests/s, the rate your key was last allowed"), "\(plan.stdout)")
    }
}
