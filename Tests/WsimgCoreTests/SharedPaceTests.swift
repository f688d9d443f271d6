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

@Suite struct SharedPaceTests {
    final class FakeClock: Sendable {
        let time = Mutex(1_000_000.0)
        var now: Double { time.withLock { $0 } }
        func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
    }

    func folder() -> String { NSTemporaryDirectory() + "wsimg-pace-\(UUID().uuidString)" }

    func open(_ folder: String, _ identity: String, _ clock: FakeClock) -> SharedPace? {
        SharedPace.open(folder: folder, identity: identity, now: { clock.now })
    }

    /// Two processes (two objects on one state file) take turns from one schedule once a 429 set a pace.
    @Test func processesShareOneScheduleAfterARateLimit() throws {
        let clock = FakeClock()
        let dir = folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try #require(open(dir, "https://api/v1\nkey", clock))
        let b = try #require(open(dir, "https://api/v1\nkey", clock))
        // Unpaced until told otherwise: 4 starts in the same second.
        for pace in [a, b, a, b] { #expect(pace.reserve().wait == 0) }
        // A 429: the pace becomes 90% of what was accepted in the last second (4 starts, 1 refused → 3).
        a.rateLimited(startedAt: clock.now, retryAfter: nil)
        let interval = 1 / (0.9 * 3)
        #expect(abs(b.reserve().wait - interval) < 1e-6)
        #expect(abs(a.reserve().wait - 2 * interval) < 1e-6)
        // Another process with another key is not slowed.
        let other = try #require(open(dir, "https://api/v1\nother-key", clock))
        #expect(other.reserve().wait == 0)
    }

    /// Review 3, item 13: a wait says its real cause, and blames other runs only when there are some.
    @Test func aReservationSaysWhyItWaitsAndWhetherOthersShareThePace() throws {
        let clock = FakeClock()
        let dir = folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try #require(open(dir, "k", clock))
        a.noteHeaders(RateLimitHeaders(limit: 2, remaining: nil, reset: nil))
        _ = a.reserve()
        let alone = a.reserve()
        #expect(alone.wait > 0 && !alone.sharedWithOthers)
        guard case .serviceLimit(let perSecond) = alone.cause else {
            Issue.record("\(alone.cause)")
            return
        }
        #expect(abs(perSecond - 2) < 1e-9)
        #expect(alone.cause.describe(sharedWithOthers: false, remote: false) == "the service's limit of 2 requests a second")
        let b = try #require(open(dir, "k", clock))
        let together = b.reserve()
        #expect(together.sharedWithOthers)
        #expect(together.cause.describe(sharedWithOthers: true, remote: false).hasSuffix("shared with other wsimg runs on this key"))
        a.rateLimited(startedAt: clock.now, retryAfter: 30)
        #expect(a.reserve().cause == .askedToWait)
        #expect(PaceCause.rateLimited.describe(sharedWithOthers: false, remote: true) == "the route's 429s")
    }

    @Test func aRetryAfterHoldsEveryProcess() throws {
        let clock = FakeClock()
        let dir = folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try #require(open(dir, "k", clock))
        let b = try #require(open(dir, "k", clock))
        _ = a.reserve().wait
        a.rateLimited(startedAt: clock.now, retryAfter: 5)
        #expect(b.reserve().wait >= 5)
    }

    @Test func laterRateLimitsFromOlderRequestsCountOnceAndTheStateIsForgotten() throws {
        let clock = FakeClock()
        let dir = folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pace = try #require(open(dir, "k", clock))
        let started = clock.now
        _ = pace.reserve().wait
        clock.advance(0.1)
        pace.rateLimited(startedAt: started, retryAfter: nil)
        let first = pace.reserve().wait
        // A 429 for a request that started before that slow-down changes nothing.
        pace.rateLimited(startedAt: started, retryAfter: nil)
        clock.advance(first)
        let second = pace.reserve().wait
        #expect(abs(second - first) < 0.05)
        clock.advance(120)
        #expect(pace.reserve().wait == 0)
    }
}
