import Synchronization

/// A message wsimg prints about the run, and how serious it is: `--strict` fails a run that printed
/// any warning, counted here as they are printed (never by reading the text).
package struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    package enum Severity: Sendable, Equatable {
        /// Something a user may like to know (a worksheet restored, a JSON file skipped).
        case note
        /// Something may not be as the user meant (a cache not used, a lock not taken).
        case warning
    }

    package let severity: Severity
    package let text: String

    package init(severity: Severity, text: String) {
        self.severity = severity
        self.text = text
    }

    package static func note(_ text: String) -> Diagnostic { Diagnostic(severity: .note, text: text) }
    package static func warning(_ text: String) -> Diagnostic { Diagnostic(severity: .warning, text: text) }

    package var description: String { severity == .warning ? "warning: " + text : text }
}

/// How many warnings the process printed, for `--strict`.
package enum Warnings {
    private static let printed = Atomic<Int>(0)
    package static var count: Int { printed.load(ordering: .relaxed) }

    /// Counts `diagnostic` when it is a warning.
    package static func note(_ diagnostic: Diagnostic) {
        if diagnostic.severity == .warning { printed.add(1, ordering: .relaxed) }
    }
}
