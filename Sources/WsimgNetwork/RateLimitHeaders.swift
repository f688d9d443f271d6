import Synchronization
import WsimgBasics

/// What an answer says of the key's rate limit (Together's serverless rate limits): `x-ratelimit-limit`
/// (requests per second), `x-ratelimit-remaining`, `x-ratelimit-reset` (seconds until the window
/// resets) and, on dynamic limits, `x-ratelimit-limit-dynamic`. Header names in any case, numbers
/// possibly fractional; a value that makes no sense is ignored, as is an answer with none.
package struct RateLimitHeaders: Sendable, Equatable {
    /// Requests per second the key may make now (the lower of the limit and the dynamic limit).
    package let limit: Double?
    package let remaining: Double?
    /// Seconds until the limit's window resets.
    package let reset: Double?

    package init?(_ response: HTTPResponse) {
        func number(_ name: String, in range: ClosedRange<Double>) -> Double? {
            guard let text = response.header(name), let value = Double(text.trimmingWhitespace()), value.isFinite, range.contains(value) else { return nil }
            return value
        }
        let limits = [number("x-ratelimit-limit", in: 0.01...10_000), number("x-ratelimit-limit-dynamic", in: 0.01...10_000)].compactMap { $0 }
        limit = limits.min()
        remaining = number("x-ratelimit-remaining", in: 0...1_000_000)
        reset = number("x-ratelimit-reset", in: 0...3600)
        guard limit != nil || remaining != nil || reset != nil else { return nil }
    }

    package init(limit: Double?, remaining: Double?, reset: Double?) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    /// Seconds to hold every start: none left in this window, so until it resets.
    package var holdFor: Double? {
        guard let remaining, remaining < 1, let reset, reset > 0 else { return nil }
        return reset
    }
}

/// The latest rate-limit headers the API sent, as its answers arrive on the transport's threads; the
/// request gate reads them as it releases each request.
package final class RateLimitReports: Sendable {
    private let latest = Mutex<RateLimitHeaders?>(nil)

    package init() {}

    package func record(_ headers: RateLimitHeaders) { latest.withLock { $0 = headers } }

    /// The headers of the last answer not yet taken, if any.
    package func take() -> RateLimitHeaders? {
        latest.withLock { value in
            defer { value = nil }
            return value
        }
    }
}
