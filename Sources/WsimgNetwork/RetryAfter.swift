import Foundation
import WsimgBasics

/// Reads how long a 429 asks us to wait: `retry-after-ms`, or `Retry-After` as seconds
/// (possibly fractional) or an HTTP date. The value is returned as asked, however long: the engine
/// stops the run when it is longer than `--max-wait`.
package enum RetryAfter {
    /// Larger values (or dates) are taken as this: longer than any --max-wait.
    package static let longestHonoured = 86_400.0 * 365

    package static func seconds(from response: HTTPResponse, now: Date = Date()) -> Double? {
        if let ms = response.header("retry-after-ms").flatMap(Double.init), ms.isFinite, ms >= 0 {
            return min(ms / 1000, longestHonoured)
        }
        guard let value = response.header("retry-after") else { return nil }
        return seconds(fromHeader: value, now: now)
    }

    package static func seconds(fromHeader value: String, now: Date = Date()) -> Double? {
        let trimmed = String(value.trimmingWhitespace())
        if let seconds = Double(trimmed) {
            return seconds.isFinite && seconds >= 0 ? min(seconds, longestHonoured) : nil
        }
        // A new formatter per call: 429s are rare and DateFormatter is not safe to share across threads.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return min(max(0, date.timeIntervalSince(now)), longestHonoured)
    }
}
