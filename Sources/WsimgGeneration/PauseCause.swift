import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Why a run stopped starting requests for a while: its pace (the service's limit, learnt 429s,
/// shared with other runs) or an answer that refused a request (429, 503). Reports count them apart.
package enum PauseCause: Sendable, Equatable, CustomStringConvertible {
    case pacing(PaceCause, sharedWithOthers: Bool, route: Bool)
    /// A 429 answer (`overloaded`: a 503), and the run waits as it asked.
    case refused(overloaded: Bool)

    package var isPacing: Bool { if case .pacing = self { true } else { false } }

    package var description: String {
        switch self {
        case .pacing(let cause, let shared, let route): "pacing to " + cause.describe(sharedWithOthers: shared, remote: route)
        case .refused(let overloaded): overloaded ? "the service is busy (503)" : "rate limited"
        }
    }
}
