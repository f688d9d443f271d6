/// The one budget all workers share: how many requests may be in flight, and when the next may start.
/// A 429 halves the number in flight and pauses everyone for the server's Retry-After; successes raise
/// it again by one request per window (additive increase, multiplicative decrease).
public actor RequestGate {
    public enum Outcome: Sendable, Equatable {
        case succeeded
        case rateLimited(retryAfter: Double?)
        case failed
    }

    public let maxInFlight: Int
    public private(set) var limit: Double
    public private(set) var inFlight = 0
    public private(set) var rateLimitedCount = 0
    private var resumeAt: ContinuousClock.Instant?
    private var consecutiveRateLimits = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let clock = ContinuousClock()

    public init(maxInFlight: Int) {
        self.maxInFlight = maxInFlight
        self.limit = Double(maxInFlight)
    }

    /// Waits for a slot; throws `CancellationError` if the task is cancelled meanwhile.
    public func acquire() async throws {
        while true {
            try Task.checkCancellation()
            if let resumeAt, clock.now < resumeAt {
                try await clock.sleep(until: resumeAt)
                continue
            }
            if inFlight < Int(limit) {
                inFlight += 1
                return
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { waiters.append($0) }
            } onCancel: {
                Task { await self.wakeAll() }
            }
        }
    }

    /// How long a pause a 429 without Retry-After causes: 1 s, doubling while they keep coming.
    func pauseWithoutRetryAfter() -> Double { min(30, Double(1 << min(consecutiveRateLimits - 1, 5))) }

    /// Seconds until requests may start again, if paused.
    public var pauseRemaining: Double? {
        guard let resumeAt else { return nil }
        let left = clock.now.duration(to: resumeAt)
        return left > .zero ? Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18 : nil
    }

    public func release(_ outcome: Outcome) {
        inFlight -= 1
        switch outcome {
        case .succeeded:
            consecutiveRateLimits = 0
            limit = min(Double(maxInFlight), limit + 1 / limit)
        case .rateLimited(let retryAfter):
            rateLimitedCount += 1
            consecutiveRateLimits += 1
            limit = max(1, limit / 2)
            let pause = retryAfter ?? pauseWithoutRetryAfter()
            let until = clock.now.advanced(by: .milliseconds(Int(pause * 1000)))
            resumeAt = max(resumeAt ?? until, until)
        case .failed:
            break
        }
        wakeAll()
    }

    private func wakeAll() {
        let woken = waiters
        waiters.removeAll()
        woken.forEach { $0.resume() }
    }
}
