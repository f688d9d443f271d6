/// The one budget all workers share, so a rate limit slows the whole run instead of every worker
/// hammering on its own.
///
/// - Requests in flight: at most `limit`, halved by a 429 and grown back by successes (AIMD).
/// - Request starts: unpaced until the first 429; then spaced at `rate` per second, first set from how
///   many requests the server accepted in the last second, lowered by each further 429 and raised
///   slowly by successes.
/// - A 429 also pauses every start for its Retry-After.
/// Several 429s answering requests that started before the last slow-down count as one.
public actor RequestGate {
    public enum Outcome: Sendable, Equatable {
        case succeeded
        case rateLimited(retryAfter: Double?)
        case failed
    }

    /// When a request was let through; handed back on release.
    public struct Ticket: Sendable {
        let startedAt: ContinuousClock.Instant
    }

    public let maxInFlight: Int
    public private(set) var limit: Double
    public private(set) var inFlight = 0
    /// Starts per second, once a 429 made pacing necessary.
    public private(set) var rate: Double?
    public private(set) var rateLimitedCount = 0
    static let minimumRate = 0.05
    private var nextStartAt: ContinuousClock.Instant
    private var resumeAt: ContinuousClock.Instant?
    private var lastSlowDown: ContinuousClock.Instant?
    private var consecutiveRateLimits = 0
    /// Start times of recent requests that succeeded, for the first rate estimate.
    private var recentSuccessfulStarts: [ContinuousClock.Instant] = []
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let clock = ContinuousClock()

    public init(maxInFlight: Int) {
        self.maxInFlight = maxInFlight
        self.limit = Double(maxInFlight)
        self.nextStartAt = clock.now
    }

    /// Waits for a slot; throws `CancellationError` if the task is cancelled meanwhile.
    public func acquire() async throws -> Ticket {
        while true {
            try Task.checkCancellation()
            let now = clock.now
            if let resumeAt, now < resumeAt {
                try await clock.sleep(until: resumeAt)
                continue
            }
            if rate != nil, now < nextStartAt {
                try await clock.sleep(until: nextStartAt)
                continue
            }
            if inFlight < Int(limit) {
                inFlight += 1
                if let rate { nextStartAt = max(now, nextStartAt) + .seconds(1 / rate) }
                return Ticket(startedAt: now)
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { waiters.append($0) }
            } onCancel: {
                Task { await self.wakeAll() }
            }
        }
    }

    /// Seconds until requests may start again, if paused.
    public var pauseRemaining: Double? {
        guard let resumeAt else { return nil }
        let left = clock.now.duration(to: resumeAt)
        return left > .zero ? left.seconds : nil
    }

    public func release(_ ticket: Ticket, _ outcome: Outcome) {
        inFlight -= 1
        let now = clock.now
        switch outcome {
        case .succeeded:
            consecutiveRateLimits = 0
            limit = min(Double(maxInFlight), limit + 1 / limit)
            if let current = rate { rate = current + 0.1 / current }
            recentSuccessfulStarts.append(ticket.startedAt)
            recentSuccessfulStarts.removeAll { $0.duration(to: now) > .seconds(1) }
        case .rateLimited(let retryAfter):
            rateLimitedCount += 1
            consecutiveRateLimits += 1
            if lastSlowDown.map({ ticket.startedAt >= $0 }) ?? true {
                slowDown(now: now)
            }
            let pause = retryAfter ?? Self.pauseWithoutRetryAfter(consecutive: consecutiveRateLimits)
            let until = now + .seconds(pause)
            resumeAt = max(resumeAt ?? until, until)
        case .failed:
            break
        }
        wakeAll()
    }

    private func slowDown(now: ContinuousClock.Instant) {
        lastSlowDown = now
        limit = max(1, limit / 2)
        if let current = rate {
            rate = max(Self.minimumRate, current * 0.7)
        } else {
            let acceptedLastSecond = recentSuccessfulStarts.filter { $0.duration(to: now) <= .seconds(1) }.count
            rate = max(Self.minimumRate, acceptedLastSecond > 0 ? Double(acceptedLastSecond) * 0.9 : 1)
        }
    }

    /// A 429 without Retry-After pauses 1 s, doubling while they keep coming, up to 30 s.
    static func pauseWithoutRetryAfter(consecutive: Int) -> Double {
        min(30, Double(1 << min(max(consecutive - 1, 0), 5)))
    }

    private func wakeAll() {
        let woken = waiters
        waiters.removeAll()
        woken.forEach { $0.resume() }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
