import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// How often and how long to wait before trying a failed image again.
package struct RetryPolicy: Sendable, Equatable {
    package var retries: Int
    package var baseDelay: Double
    package var maxDelay: Double
    /// The longest rate limits (429) and overload (503) may hold the run: a longer Retry-After, or
    /// this long with no success, stops it.
    package var maxWait: Double

    package static let defaultMaxWait = 300.0

    package init(retries: Int = 2, baseDelay: Double = 1, maxDelay: Double = 30, maxWait: Double = RetryPolicy.defaultMaxWait) {
        self.retries = retries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxWait = maxWait
    }

    /// Exponential backoff with jitter: the `retry`th retry (1-based) waits between half and all of
    /// `baseDelay · 2^(retry−1)`, so workers that failed together do not come back together.
    package func delay(beforeRetry retry: Int, unitRandom: Double) -> Double {
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(max(0, retry - 1), 20)))
        return ceiling * (0.5 + 0.5 * min(1, max(0, unitRandom)))
    }
}
