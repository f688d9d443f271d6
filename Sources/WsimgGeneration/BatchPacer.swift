import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Paces batches to the web app's route. The route hides Together's 429s: it waits and tries a refused
/// picture again (1 s, then 2 s later), so a refusal shows only as a batch answered about a second
/// later than usual.
///
/// - A run that fits in one batch sends it at once, as the web app itself does: nothing to pace.
/// - Otherwise pictures in flight grow as TCP's slow start grows its window: one picture alone (its
///   answer is the usual time, what the others are measured against), then one more for each picture
///   delivered, so 1, 2, 4, 8 in turn. Opening with a whole batch would leave nothing to measure
///   against when every batch is held up (bench scenario 22: 58 of 118 tries refused, against 5 of 65).
/// - A held-up batch means the service behind the route is full: the rate becomes 85% of the pictures
///   started in the second up to it (of the current rate, later), and batches are spaced by their
///   size at that rate, each small enough not to be a burst of its own.
/// - Every few seconds without a held-up batch the rate is tried 10% higher.
///
/// Times are seconds on any clock the caller keeps (the gate's), which makes the policy testable alone.
package struct BatchPacer {
    /// The most pictures one batch may carry (the provider's batch size).
    package let largest: Int
    /// Pictures per second the service behind the route takes, once a held-up batch showed it.
    package private(set) var rate: Double?
    /// Before that: the most pictures in flight.
    package private(set) var window = 1
    package private(set) var inFlight = 0
    private var nextStart = 0.0
    /// How long the last batches that were not held up took: the usual time, against which a held-up
    /// one stands out.
    private var usual: [Double] = []
    private var congestedAt: Double?
    private var lastProbe: Double?
    /// Batches started in the last second or so: what a held-up one was sent among.
    private var starts: [(at: Double, pictures: Int)] = []

    package static let headroom = 0.9
    /// A held-up batch: the rate becomes this much of the pictures started in the second up to it.
    package static let decrease = 0.85
    package static let probeInterval = 5.0
    package static let probeIncrease = 1.1

    package init(largest: Int, pictures: Int = .max) {
        self.largest = max(1, largest)
        if pictures <= largest { window = self.largest }
    }

    /// How many of `wanted` pictures the next batch may carry now; 0 means wait for an answer.
    package func room(for wanted: Int) -> Int {
        let cap = rate.map { Self.burst(rate: $0, largest: largest) } ?? min(largest, window - inFlight)
        return max(0, min(wanted, cap))
    }

    /// Seconds from `now` until the next batch may start.
    package func delay(at now: Double) -> Double { max(0, nextStart - now) }

    package mutating func started(_ pictures: Int, at now: Double) {
        inFlight += pictures
        starts.removeAll { now - $0.at > 2 }
        starts.append((now, pictures))
        if let current = rate {
            if let since = [congestedAt, lastProbe].compactMap({ $0 }).max(), now - since >= Self.probeInterval {
                rate = current * Self.probeIncrease
                lastProbe = now
            }
            nextStart = max(now, nextStart) + Double(pictures) / (rate ?? current)
        }
    }

    /// A batch of `sent` pictures started at `startedAt` came back with `delivered` of them. Returns
    /// whether it was held up.
    @discardableResult
    package mutating func answered(sent: Int, delivered: Int, startedAt: Double, at now: Double) -> Bool {
        inFlight = max(0, inFlight - sent)
        let took = now - startedAt
        let heldUp = Self.isHeldUp(took, usual: usual)
        guard heldUp else {
            usual = Array((usual + [took]).suffix(8))
            if rate == nil { window += delivered }
            return false
        }
        // Batches that started before the last slow-down were sent at the old pace: one slow-down for all.
        if let congestedAt, startedAt < congestedAt { return true }
        congestedAt = now
        // What the service could not take: the pictures started in the second up to this batch.
        let load = starts.filter { $0.at <= startedAt + 1e-9 && startedAt - $0.at < 1 }.reduce(0) { $0 + $1.pictures }
        let sent = Double(max(load, sent))
        rate = max(RequestGate.minimumRate, (rate ?? sent) * Self.decrease)
        nextStart = max(nextStart, now)
        return true
    }

    /// Whether a batch that took `took` seconds waited behind the route's retry: the route waits 1 s
    /// before trying a refused picture again, so such a batch takes about a second longer than usual.
    /// Measured against the median of the last quick ones (two at least), so that a service whose
    /// answers vary by less than 0.8 s is not taken for a full one.
    package static func isHeldUp(_ took: Double, usual: [Double]) -> Bool {
        guard usual.count >= 2 else { return false }
        let sorted = usual.sorted()
        let median = sorted[sorted.count / 2]
        return took > max(median * 1.5, median + 0.8)
    }

    /// The largest batch that, sent every `size / rate` seconds, never puts more than the service's
    /// rate (`rate / headroom`) into one second.
    package static func burst(rate: Double, largest: Int) -> Int {
        let capacity = rate / headroom
        let fitting = (1...largest).last { size in
            Double(size) <= rate / 2 && Double(size) * (rate / Double(size)).rounded(.up) <= capacity + 1e-9
        }
        return fitting ?? 1
    }
}
