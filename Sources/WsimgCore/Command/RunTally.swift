import Synchronization

/// What a run counts from the engine's events for its closing line and report: the 429 and 503
/// answers, and the time spent waiting for them.
final class RunTally: Sendable {
    private let counts = Mutex((rateLimited: 0, waited: 0.0))

    var rateLimited: Int { counts.withLock { $0.rateLimited } }
    var waited: Double { counts.withLock { $0.waited } }

    func note(_ event: RunEvent) {
        switch event {
        case .attemptFailed(_, _, let error, _) where error.disposition == .pace:
            counts.withLock { $0.rateLimited += 1 }
        case .paused(let seconds, _):
            counts.withLock { $0.waited += max(0, seconds) }
        default:
            break
        }
    }
}
