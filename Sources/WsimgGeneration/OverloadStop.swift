import Foundation
import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Why rate limits or overload stopped a run, and when to try again.
package struct OverloadStop: Sendable, Equatable, CustomStringConvertible {
    package let error: GenerationError
    /// The Retry-After that was longer than `maxWait`.
    package let waitAsked: Double?
    /// Seconds without a success, when that ran out instead.
    package let waited: Double?
    package let maxWait: Double
    package let at: Date
    /// The wait came from the shared pace (before any request), and why it holds requests back.
    package let paceCause: PaceCause?

    package init(error: GenerationError, waitAsked: Double?, waited: Double?, maxWait: Double, at: Date = Date(), paceCause: PaceCause? = nil) {
        self.paceCause = paceCause
        self.error = error
        self.waitAsked = waitAsked
        self.waited = waited
        self.maxWait = maxWait
        self.at = at
    }

    package var what: String {
        if case .overloaded = error { return "the service is busy (503)" }
        return "rate limited (429)"
    }

    package var description: String {
        if let paceCause, let asked = waitAsked {
            return "the shared pace (\(paceCause.describe(sharedWithOthers: false, remote: false))) would hold the next request \(Self.duration(asked)), "
                + "more than --max-wait \(NumberText.plain(maxWait)) s: try again after \(Self.clock(at.addingTimeInterval(asked))); finished pictures are kept"
        }
        if let asked = waitAsked {
            return "\(what) and asked to wait \(Self.duration(asked)), more than --max-wait \(NumberText.plain(maxWait)) s: "
                + "try again after \(Self.clock(at.addingTimeInterval(asked))); finished pictures are kept"
        }
        return "\(what) with no success for \(Self.duration(waited ?? maxWait)) (--max-wait \(NumberText.plain(maxWait)) s): "
            + "try again in a few minutes; finished pictures are kept"
    }

    package static func duration(_ seconds: Double) -> String {
        seconds < 120 ? "\(Int(seconds.rounded())) s" : seconds < 7200 ? "\(Int((seconds / 60).rounded())) min" : "\(Int((seconds / 3600).rounded())) h"
    }

    /// Local time, with the date when it is not today.
    package static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = Calendar.current.isDateInToday(date) ? "HH:mm" : "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
