/// The closing line of a run, and one line per image that failed on its own.
///
/// `3 new, 9 already present, 0 failed → lesson.json, lesson_images/ (4.2s)`. Images a stop of the
/// whole run left undone (a refused key, Ctrl-C, the deadline) are counted as "not generated" after
/// the one line that said why, not listed one by one.
public struct RunSummary {
    public let line: String
    public let problemLines: [String]

    /// `destination`: where the worksheet and the pictures went, as the user would name them.
    /// `fromCache`: how many of the present pictures came from the picture cache this run.
    public init(outcome: WorksheetUpdate, duration: Double, interrupted: Bool, destination: String? = nil, fromCache: Int = 0) {
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
            + (interrupted || notGenerated > 0 ? "; run the same command to continue" : "")
        problemLines = own.map { failure in
            let caption = failure.caption.flatMap { $0.isEmpty ? nil : " \"\($0)\"" } ?? ""
            return "\(failure.id)\(caption): \(failure.reason)"
        }
    }
}
