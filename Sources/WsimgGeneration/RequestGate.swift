import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// The one budget all workers share, so a rate limit slows the whole run instead of every worker
/// hammering on its own. Workers are let through first come, first served.
///
/// - Request starts: unpaced until the first 429; then spaced at `rate` per second. The first 429 sets
///   the rate to 90% of the requests started in the last second that were not refused (the server's
///   window, as far as we can see it); each later one lowers it 15%. Each success raises it 1%, or 0.2%
///   within 5% of the rate the last 429 came at; every 5 s without a 429 raises it 10%, so a rate cut
///   by a passing 429 recovers.
/// - Requests in flight: at most `limit`. A 429 lowers it to what the new rate needs at the observed
///   latency (with room to spare); successes raise it again, one request per window, up to `-j`.
/// - A 429 also pauses every start for its Retry-After.
/// Several 429s answering requests that started before the last slow-down count as one.
package actor RequestGate {
    package enum Outcome: Sendable, Equatable {
        case succeeded
        /// 429: this key is over its rate.
        case rateLimited(retryAfter: Double?)
        /// 503: the service is short of capacity; a brief pause, the rate stays.
        case overloaded(retryAfter: Double?)
        case failed
    }

    /// When a request was let through; handed back on release.
    package struct Ticket: Sendable {
        package let startedAt: ContinuousClock.Instant
        /// How many pictures the batch may carry (batches to the web app's route; else what was asked).
        package internal(set) var pictures = 1
        /// The same moment on the wall clock, which other processes share.
        package var startedWall = 0.0
    }

    package let maxInFlight: Int
    package private(set) var limit: Double
    package private(set) var inFlight = 0
    /// Starts per second, once a 429 made pacing necessary.
    package private(set) var rate: Double?
    package private(set) var rateLimitedCount = 0

    package static let minimumRate = 0.05
    package static let maximumRate = 1000.0
    package static let rateDecrease = 0.85
    package static let rateIncrease = 1.01
    package static let rateIncreaseNearCeiling = 1.002
    package static let probeInterval = Duration.seconds(5)
    package static let probeIncrease = 1.1
    package static let window = Duration.seconds(1)

    private let clock = ContinuousClock()
    private var nextStartAt: ContinuousClock.Instant
    private var resumeAt: ContinuousClock.Instant?
    private var lastSlowDown: ContinuousClock.Instant?
    private var lastProbe: ContinuousClock.Instant?
    /// The rate at which the last 429 came.
    private var ceiling: Double?
    private var consecutiveRateLimits = 0
    /// Seconds a successful request takes, smoothed.
    private var latency: Double?
    /// Start times of requests in the last second, and of those among them refused with 429.
    private var recentStarts: [ContinuousClock.Instant] = []
    private var recentRefusedStarts: [ContinuousClock.Instant] = []
    /// Waiting workers in arrival order; only the first may take the next slot.
    private var queue: [Int] = []
    private var nextWaiter = 0
    private var sleepers: [CheckedContinuation<Void, Never>] = []
    /// Set by `close`: no more starts, every waiter leaves.
    private var closed = false
    private var lastSuccessAt: ContinuousClock.Instant
    /// The pace shared with other processes using the same key; it replaces this gate's own start
    /// pacing (the limit on requests in flight and Retry-After pauses stay).
    private let shared: SharedPace?
    /// The longest the shared pace may put a start off before the run gives up (`--max-wait`).
    private let maxWait: Double
    /// Told of a wait the shared pace imposes (a second or more), so the display can say why.
    private let onSharedWait: (@Sendable (SharedPace.Reservation) -> Void)?

    /// The shared pace asked for a wait that would hold the run longer than `--max-wait` allows.
    package struct SharedWaitTooLong: Error {
        package let seconds: Double
        package let cause: PaceCause
        /// Seconds without a success before that wait, and the last 429 or 503 this run got, if any:
        /// then the wait is this run's own rate limit, not only other runs' pace.
        package let withoutSuccess: Double
        package let lastRefusal: GenerationError?
    }

    /// The last 429 or 503 answer (see `SharedWaitTooLong`).
    package private(set) var lastRefusal: GenerationError?

    package func noteRefusal(_ error: GenerationError) { lastRefusal = error }

    /// The API's rate-limit headers, as answers bring them.
    private let reports: RateLimitReports?
    /// While no rate is known, requests in flight start at one and grow by one per success (as TCP's
    /// slow start), so a run's opening is no blind burst; `-j` stays the cap.
    private var slowStart: Bool

    package init(
        maxInFlight: Int, shared: SharedPace? = nil, maxWait: Double = .infinity,
        onSharedWait: (@Sendable (SharedPace.Reservation) -> Void)? = nil, reports: RateLimitReports? = nil, slowStart: Bool = false,
        largestBatch: Int = 1, pictures: Int = .max
    ) {
        let batches = largestBatch > 1 ? BatchPacer(largest: largestBatch, pictures: pictures) : nil
        self.batches = batches
        self.shared = shared
        self.maxWait = maxWait
        self.onSharedWait = onSharedWait
        self.reports = reports
        let known = shared?.knowsRate ?? false
        // Batches start slowly by pictures in flight (the pacer's window), not by requests.
        let slow = slowStart && !known && batches == nil
        self.slowStart = slow && maxInFlight > 1
        self.maxInFlight = maxInFlight
        self.limit = slow ? 1 : Double(maxInFlight)
        self.nextStartAt = clock.now
        self.born = clock.now
        self.lastSuccessAt = clock.now
    }

    /// Lets no more requests start; waiting workers leave `acquire` with `CancellationError`.
    package func close() {
        closed = true
        wakeAll()
    }

    /// Seconds since the last success (or since the gate was made): how long rate limits have held the run.
    package var secondsWithoutSuccess: Double { lastSuccessAt.duration(to: clock.now).seconds }

    /// The rate the API's headers allow (this process pacing alone): successes never raise it above.
    private var headerRate: Double?

    /// Batches to the web app's route, which absorbs 429s by waiting: paced by pictures, not requests.
    private var batches: BatchPacer?
    private let born: ContinuousClock.Instant
    private func elapsed(_ instant: ContinuousClock.Instant) -> Double { born.duration(to: instant).seconds }

    /// Workers waiting for their turn.
    package var waiting: Int { queue.count }

    /// Whether any request has succeeded yet.
    package private(set) var hasSucceeded = false

    /// Waits for this worker's turn and a free slot; throws `CancellationError` if cancelled meanwhile.
    /// A batch of `pictures` may be let through with fewer (`Ticket.pictures`): the rest wait.
    package func acquire(pictures: Int = 1) async throws -> Ticket {
        let me = nextWaiter
        nextWaiter += 1
        queue.append(me)
        defer {
            queue.removeAll { $0 == me }
            wakeAll()
        }
        while true {
            try Task.checkCancellation()
            if closed { throw CancellationError() }
            let now = clock.now
            if queue.first != me || inFlight >= Int(limit) || batches?.room(for: pictures) == 0 {
                await sleepUntilWoken()
            } else if let batches, case let wait = batches.delay(at: elapsed(now)), wait > 0 {
                await sleepUntilWoken(orUntil: now + .seconds(wait))
            } else if let resumeAt, now < resumeAt {
                await sleepUntilWoken(orUntil: resumeAt)
            } else if shared == nil, rate != nil, now < nextStartAt {
                await sleepUntilWoken(orUntil: nextStartAt)
            } else if let shared {
                // The slot is ours once reserved: wait for it, then start (an interruption wastes it).
                let reservation = shared.reserve()
                let wait = reservation.wait
                let withoutSuccess = lastRefusal == nil ? 0 : secondsWithoutSuccess
                if withoutSuccess + wait > maxWait {
                    throw SharedWaitTooLong(seconds: wait, cause: reservation.cause, withoutSuccess: withoutSuccess, lastRefusal: lastRefusal)
                }
                if wait >= 1 { onSharedWait?(reservation) }
                let startAt = now + .seconds(wait)
                while clock.now < startAt {
                    try Task.checkCancellation()
                    if closed { throw CancellationError() }
                    await sleepUntilWoken(orUntil: startAt)
                }
                var ticket = start(at: clock.now, pictures: pictures)
                ticket.startedWall = shared.now()
                return ticket
            } else {
                return start(at: now, pictures: pictures)
            }
        }
    }

    private func start(at now: ContinuousClock.Instant, pictures: Int) -> Ticket {
        var ticket = Ticket(startedAt: now)
        ticket.pictures = pictures
        if var batches {
            ticket.pictures = max(1, batches.room(for: pictures))
            batches.started(ticket.pictures, at: elapsed(now))
            self.batches = batches
        }
        inFlight += 1
        probe(now: now)
        recentStarts.removeAll { $0.duration(to: now) > Self.window }
        recentStarts.append(now)
        if let rate { nextStartAt = max(now, nextStartAt) + .seconds(1 / rate) }
        return ticket
    }

    /// Sleeps until `instant`, or earlier when woken (by `close`, say); the caller checks again.
    private func sleepUntilWoken(orUntil instant: ContinuousClock.Instant) async {
        let timer = Task { [clock] in
            // A cancelled timer (its sleeper was woken first) must not wake everyone again.
            guard (try? await clock.sleep(until: instant)) != nil else { return }
            self.wakeAll()
        }
        await sleepUntilWoken()
        timer.cancel()
    }

    private func sleepUntilWoken() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { sleepers.append($0) }
        } onCancel: {
            Task { await self.wakeAll() }
        }
    }

    /// Seconds until requests may start again, if paused.
    package var pauseRemaining: Double? {
        guard let resumeAt else { return nil }
        let left = clock.now.duration(to: resumeAt)
        return left > .zero ? left.seconds : nil
    }

    /// `delivered`: of a batch's pictures, how many came back (all of them when it succeeded, if not said).
    package func release(_ ticket: Ticket, _ outcome: Outcome, delivered: Int? = nil) {
        inFlight -= 1
        let now = clock.now
        batches?.answered(
            sent: ticket.pictures, delivered: delivered ?? (outcome == .succeeded ? ticket.pictures : 0),
            startedAt: elapsed(ticket.startedAt), at: elapsed(now))
        if let headers = reports?.take() { follow(headers, now: now) }
        switch outcome {
        case .succeeded:
            shared?.succeeded()
            lastSuccessAt = now
            hasSucceeded = true
            consecutiveRateLimits = 0
            let took = ticket.startedAt.duration(to: now).seconds
            limit = min(Double(maxInFlight), limit + (slowStart ? 1 : 1 / limit))
            if let current = rate {
                let nearCeiling = ceiling.map { current >= $0 * 0.95 } ?? false
                rate = min(headerRate ?? Self.maximumRate, Self.maximumRate, current * (nearCeiling ? Self.rateIncreaseNearCeiling : Self.rateIncrease))
            }
            latency = latency.map { $0 * 0.8 + took * 0.2 } ?? took
        case .overloaded(let retryAfter):
            shared?.overloaded(retryAfter: retryAfter)
            rateLimitedCount += 1
            let until = now + .seconds(min(retryAfter ?? 1, 600))
            resumeAt = max(resumeAt ?? until, until)
        case .rateLimited(let retryAfter):
            slowStart = false
            shared?.rateLimited(startedAt: ticket.startedWall, retryAfter: retryAfter)
            rateLimitedCount += 1
            consecutiveRateLimits += 1
            recentRefusedStarts.removeAll { $0.duration(to: now) > Self.window }
            recentRefusedStarts.append(ticket.startedAt)
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

    /// The API said what the key may do: pace by it (every process on the key, through the shared
    /// pace, else this one), no slower start needed; a window with nothing left holds every start.
    private func follow(_ headers: RateLimitHeaders, now: ContinuousClock.Instant) {
        if let shared {
            shared.noteHeaders(headers)
        } else {
            if let allowed = headers.limit.map({ max(Self.minimumRate, $0 * SharedPace.State.headroom) }) {
                headerRate = allowed
                rate = min(rate ?? Self.maximumRate, allowed)
            }
            if let hold = headers.holdFor {
                let until = now + .seconds(min(hold, 600))
                resumeAt = max(resumeAt ?? until, until)
            }
        }
        if headers.limit != nil, slowStart {
            slowStart = false
            limit = Double(maxInFlight)
        }
    }

    /// Every `probeInterval` without a 429, tries a faster rate.
    private func probe(now: ContinuousClock.Instant) {
        guard let current = rate, let since = [lastSlowDown, lastProbe].compactMap({ $0 }).max(),
            since.duration(to: now) >= Self.probeInterval
        else { return }
        rate = min(headerRate ?? Self.maximumRate, Self.maximumRate, current * Self.probeIncrease)
        lastProbe = now
    }

    private func slowDown(now: ContinuousClock.Instant) {
        lastSlowDown = now
        ceiling = rate
        let accepted =
            recentStarts.filter { $0.duration(to: now) <= Self.window }.count
            - recentRefusedStarts.filter { $0.duration(to: now) <= Self.window }.count
        let seen = Double(max(accepted, 1)) * 0.9
        let newRate = max(Self.minimumRate, rate.map { $0 * Self.rateDecrease } ?? seen)
        rate = newRate
        // Enough in flight to keep up with the new rate at the latency seen so far, with room to spare.
        let needed = latency.map { ($0 * newRate * 1.5).rounded(.up) } ?? limit / 2
        limit = max(1, min(limit, needed))
    }

    /// A 429 without Retry-After pauses 1 s, doubling while they keep coming, up to 30 s.
    package static func pauseWithoutRetryAfter(consecutive: Int) -> Double {
        min(30, Double(1 << min(max(consecutive - 1, 0), 5)))
    }

    private func wakeAll() {
        let woken = sleepers
        sleepers.removeAll()
        for sleeper in woken { sleeper.resume() }
    }
}

extension Duration {
    package var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
