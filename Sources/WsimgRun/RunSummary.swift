import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// The closing line of a run, and one line per image that failed on its own.
///
/// `3 new, 9 already present, 0 failed → lesson.json, lesson_images/ (4.2s)`. Images a stop of the
/// whole run left undone (a refused key, Ctrl-C, the deadline) are counted as "not generated" after
/// the one line that said why, not listed one by one.
package struct RunSummary {
    package let line: String
    package let problemLines: [String]

    /// `destination`: where the worksheet and the pictures went, as the user would name them.
    /// `fromCache`: how many of the present pictures came from the picture cache this run.
    /// `rerunHelps`: whether running the same command again can generate what is left undone.
    package init(
        outcome: WorksheetUpdate, duration: Double, interrupted: Bool, destination: String? = nil, fromCache: Int = 0, rerunHelps: Bool = true
    ) {
        let own = outcome.failures.filter(\.ownFailure)
        let notGenerated = outcome.failures.count - own.count
        var parts = [
            "\(outcome.generatedCount) new",
            "\(outcome.upToDateCount + outcome.keptCount) already present"
                + (fromCache > 0 ? " (\(fromCache) from the cache)" : ""),
        ]
        if outcome.skippedCount > 0 { parts.append("\(outcome.skippedCount) skipped (no prompt)") }
        parts.append("\(own.count) failed")
        if notGenerated > 0 { parts.append("\(notGenerated) not generated") }
        let seconds = String(Int((duration * 10).rounded())).withDecimal
        line =
            (interrupted ? "Interrupted: " : "") + parts.joined(separator: ", ")
            + (destination.map { " → \($0)" } ?? "") + " (\(seconds)s)"
            + ((interrupted || notGenerated > 0) && rerunHelps ? "; run the same command to continue" : "")
        problemLines = own.map { failure in
            let caption = failure.caption.flatMap { $0.isEmpty ? nil : " \"\($0)\"" } ?? ""
            return "\(failure.id)\(caption): \(failure.reason)"
        }
    }
}

extension RunSummary {
    /// The counts of several worksheets together, for the closing line after theirs and the report.
    package struct Total: Sendable {
        package var generated = 0
        package var present = 0
        package var fromCache = 0
        package var skipped = 0
        package var failed = 0
        package var notGenerated = 0
        /// 429 and 503 answers, and the seconds the run spent waiting for them.
        package var rateLimited = 0
        package var waited = 0.0
        /// Seconds the run held requests back to keep to the pace (not counted in `waited`).
        package var paced = 0.0
        /// Requests sent upstream, retries included, the pictures they asked for, and what they cost
        /// (nil when no price is known).
        package var requestsSent = 0
        package var picturesAsked = 0
        package var cost: Double?

        /// Image elements that ask for a picture.
        package var requested: Int { generated + present + failed + notGenerated }

        package var json: String {
            #"{"requested": \#(requested), "generated": \#(generated), "from_cache": \#(fromCache), "present": \#(present), "#
                + #""failed": \#(failed), "not_generated": \#(notGenerated), "skipped": \#(skipped), "rate_limited": \#(rateLimited), "#
                + #""waited_s": \#(String(format: "%.1f", waited)), "paced_s": \#(String(format: "%.1f", paced)), "#
                + #""requests_sent": \#(requestsSent), "pictures_asked": \#(picturesAsked), "#
                + #""cost_usd": \#(cost.map { String(format: "%.6f", $0) } ?? "null")}"#
        }

        /// `; 3 rate limited (waited 4.2s)`, when there were any.
        package var waitNote: String {
            rateLimited == 0 ? "" : "; \(rateLimited) rate limited (waited \(ProgressDisplay.seconds(waited)))"
        }

        package mutating func add(_ outcome: WorksheetUpdate, fromCache cached: Int) {
            let own = outcome.failures.filter(\.ownFailure).count
            generated += outcome.generatedCount
            present += outcome.upToDateCount + outcome.keptCount
            fromCache += cached
            skipped += outcome.skippedCount
            failed += own
            notGenerated += outcome.failures.count - own
        }

        /// `Total for 3 worksheets: 5 new, 2 already present, 0 failed (4.2s)`.
        package func line(worksheets: Int, duration: Double) -> String {
            var parts = ["\(generated) new", "\(present) already present" + (fromCache > 0 ? " (\(fromCache) from the cache)" : "")]
            if skipped > 0 { parts.append("\(skipped) skipped (no prompt)") }
            parts.append("\(failed) failed")
            if notGenerated > 0 { parts.append("\(notGenerated) not generated") }
            return "Total for \(worksheets) worksheets: " + parts.joined(separator: ", ") + " (\(String(Int((duration * 10).rounded())).withDecimal)s)" + waitNote
        }
    }
}
