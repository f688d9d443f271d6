import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Why the shared pace holds a request back, so a message says the real cause rather than blaming
/// other runs that may not exist.
package enum PaceCause: Sendable, Equatable {
    /// The service's own `x-ratelimit-*` headers: its limit, in requests per second.
    case serviceLimit(perSecond: Double)
    /// 429s taught the pace (the service gave no limit).
    case rateLimited
    /// The service asked everyone to wait (Retry-After, or a window with nothing remaining).
    case askedToWait

    /// `sharedWithOthers`: other wsimg processes on the same key (or route) started requests lately.
    /// `remote`: the pace is a route's, which holds the key, not this user's key.
    package func describe(sharedWithOthers: Bool, remote: Bool) -> String {
        let cause =
            switch self {
            case .serviceLimit(let perSecond): "the service's limit of \(Self.rate(perSecond))"
            case .rateLimited: remote ? "the route's 429s" : "the service's 429s"
            case .askedToWait: "the service's request to wait"
            }
        guard sharedWithOthers else { return cause }
        return cause + ", shared with other wsimg runs on this " + (remote ? "route" : "key")
    }

    package static func rate(_ perSecond: Double) -> String {
        perSecond >= 1 ? "\(Int(perSecond.rounded())) requests a second" : "\(Int((perSecond * 60).rounded())) requests a minute"
    }
}
