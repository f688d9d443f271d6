import Synchronization
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// What a run counts from the engine's events for its closing line and report: the requests sent
/// (retries included) and what they asked for, the 429 and 503 answers, and the time spent waiting,
/// for the pace and for refusals apart.
package final class RunTally: Sendable {
    package struct Counts {
        package var rateLimited = 0
        package var refusedWait = 0.0
        package var pacedWait = 0.0
        package var requests = 0
        package var pictures = 0
        package var megapixels = 0.0
    }

    private let counts = Mutex(Counts())

    package var current: Counts { counts.withLock { $0 } }

    package func note(_ event: RunEvent) {
        switch event {
        case .attemptFailed(_, _, let error, _) where error.disposition == .pace:
            counts.withLock { $0.rateLimited += 1 }
        case .paused(let seconds, let cause):
            counts.withLock { counts in
                if cause.isPacing { counts.pacedWait += max(0, seconds) } else { counts.refusedWait += max(0, seconds) }
            }
        case .sent(let pictures, let megapixels):
            counts.withLock { counts in
                counts.requests += 1
                counts.pictures += pictures
                counts.megapixels += megapixels
            }
        default:
            break
        }
    }
}
