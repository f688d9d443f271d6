import Foundation
import Synchronization
import Testing

@testable import WsimgBasics
@testable import WsimgCLI
@testable import WsimgGeneration
@testable import WsimgImages
@testable import WsimgJSON
@testable import WsimgLibrary
@testable import WsimgNetwork
@testable import WsimgRun
@testable import WsimgWorksheet

/// Pacing by what the API says: Together's `x-ratelimit-*` headers, slow start while nothing is
/// known, 503 as capacity, and the learned rate kept for the next run.
@Suite struct RateHeadersTests {
    func response(_ headers: [(String, String)]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: headers.map { ($0.0.lowercased(), $0.1) }, body: [])
    }

    @Test func headersAreReadAndNonsenseIgnored() {
        let full = RateLimitHeaders(
            response([("X-RateLimit-Limit", "6"), ("x-ratelimit-remaining", "2.5"), ("X-RATELIMIT-RESET", "0.4"), ("x-ratelimit-limit-dynamic", "4.5")]))
        #expect(full == RateLimitHeaders(limit: 4.5, remaining: 2.5, reset: 0.4))
        #expect(RateLimitHeaders(response([("x-ratelimit-limit", "-3"), ("x-ratelimit-reset", "nan")])) == nil)
        #expect(
            RateLimitHeaders(response([("x-ratelimit-limit", "1e30"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "9999999")]))
                == RateLimitHeaders(limit: nil, remaining: 0, reset: nil))
        #expect(RateLimitHeaders(response([("content-type", "application/json")])) == nil)
        #expect(RateLimitHeaders(limit: 6, remaining: 0, reset: 0.7).holdFor == 0.7)
        #expect(RateLimitHeaders(limit: 6, remaining: 1, reset: 0.7).holdFor == nil)
    }

    func pace(_ clock: SharedPaceTests.FakeClock) throws -> (SharedPace, String) {
        let folder = NSTemporaryDirectory() + "wsimg-pace-\(UUID().uuidString)"
        let opened = SharedPace.open(folder: folder, identity: "https://api/v1\nkey", now: { clock.now })
        return (try #require(opened), folder)
    }

    @Test func theHeadersLimitPacesEveryStartFromTheFirst() throws {
        let clock = SharedPaceTests.FakeClock()
        let (pace, folder) = try pace(clock)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(!pace.knowsRate)
        pace.noteHeaders(RateLimitHeaders(limit: 6, remaining: 5, reset: 0.5))
        #expect(pace.knowsRate)
        let interval = 1 / (6 * SharedPace.State.headroom)
        let waits = (0..<4).map { _ in pace.reserve().wait }
        for (index, wait) in waits.enumerated() { #expect(abs(wait - Double(index) * interval) < 1e-6) }
        // Nothing left in the window: every start waits for its reset.
        pace.noteHeaders(RateLimitHeaders(limit: 6, remaining: 0, reset: 3))
        #expect(pace.reserve().wait >= 3 - 1e-6)
        #expect(SharedPace.knownRate(folder: folder, identity: "https://api/v1\nkey", now: clock.now).map { abs($0 - 6 * SharedPace.State.headroom) < 1e-6 } == true)
    }

    @Test func aLearnedRateOutlivesTheScheduleThenIsForgotten() throws {
        let clock = SharedPaceTests.FakeClock()
        let (pace, folder) = try pace(clock)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        pace.noteHeaders(RateLimitHeaders(limit: 4, remaining: 3, reset: 0.2))
        clock.advance(120)
        // Two minutes idle: the next run starts at the known rate, no slow start.
        #expect(pace.knowsRate)
        clock.advance(400)
        #expect(!pace.knowsRate)
    }

    @Test func a503PausesWithoutCuttingTheRate() throws {
        let clock = SharedPaceTests.FakeClock()
        let (pace, folder) = try pace(clock)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        pace.noteHeaders(RateLimitHeaders(limit: 10, remaining: 9, reset: 0.1))
        pace.overloaded(retryAfter: nil)
        #expect(abs(pace.reserve().wait - 1) < 1e-6)
        // The interval is still the headers' (10/s), not cut as a 429 would.
        #expect(abs(pace.reserve().wait - (1 + 1 / (10 * SharedPace.State.headroom))) < 1e-6)
    }

    /// While no rate is known, the second request waits for the first answer (slow start); then two.
    @Test func slowStartOpensOneRequestAtATime() async throws {
        let gate = RequestGate(maxInFlight: 8, slowStart: true)
        let first = try await gate.acquire()
        let started = Atomic<Int>(0)
        let second = Task {
            let ticket = try await gate.acquire()
            started.add(1, ordering: .relaxed)
            return ticket
        }
        // The gate is an actor: once the waiter is queued, nothing lets it in but a release.
        while await gate.waiting == 0 { await Task.yield() }
        #expect(started.load(ordering: .relaxed) == 0)
        await gate.release(first, .succeeded)
        let ticket = try await second.value
        #expect(await gate.limit == 2)
        await gate.release(ticket, .succeeded)
        #expect(await gate.limit == 3)
    }

    @Test func headersEndSlowStart() async throws {
        let reports = RateLimitReports()
        let gate = RequestGate(maxInFlight: 8, reports: reports, slowStart: true)
        #expect(await gate.limit == 1)
        let ticket = try await gate.acquire()
        reports.record(RateLimitHeaders(limit: 6, remaining: 5, reset: 0.2))
        await gate.release(ticket, .succeeded)
        #expect(await gate.limit == 8)
        #expect(await gate.rate.map { abs($0 - 6 * SharedPace.State.headroom) < 1e-6 } == true)
    }

    /// Batches to the web app's route: the gate lets a batch through with as many pictures as the
    /// pacer's window holds, and the rest wait for deliveries.
    @Test func batchesOpenWithOnePicture() async throws {
        let gate = RequestGate(maxInFlight: 4, slowStart: true, largestBatch: 8)
        let probe = try await gate.acquire(pictures: 8)
        #expect(probe.pictures == 1)
        await gate.release(probe, .succeeded)
        let first = try await gate.acquire(pictures: 1)
        let second = try await gate.acquire(pictures: 8)
        #expect(second.pictures == 1)
        await gate.release(first, .succeeded)
        await gate.release(second, .failed, delivered: 0)
        #expect(try await gate.acquire(pictures: 8).pictures == 3)
    }

    /// A limit that changes: the next start follows the last answer's headers.
    @Test func aChangedLimitIsFollowedAtTheNextStart() throws {
        let clock = SharedPaceTests.FakeClock()
        let (pace, folder) = try pace(clock)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        pace.noteHeaders(RateLimitHeaders(limit: 6, remaining: 5, reset: 0.2))
        _ = pace.reserve().wait
        pace.noteHeaders(RateLimitHeaders(limit: 3, remaining: 2, reset: 0.2))
        let first = pace.reserve().wait
        let second = pace.reserve().wait
        #expect(abs((second - first) - 1 / (3 * SharedPace.State.headroom)) < 1e-6)
        pace.noteHeaders(RateLimitHeaders(limit: 8, remaining: 7, reset: 0.2))
        let third = pace.reserve().wait
        #expect(abs((pace.reserve().wait - third) - 1 / (8 * SharedPace.State.headroom)) < 1e-6)
    }
}
