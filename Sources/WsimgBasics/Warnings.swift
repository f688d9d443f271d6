import Synchronization

/// How many warnings the process printed, for `--strict`.
public enum Warnings {
    private static let printed = Atomic<Int>(0)
    public static var count: Int { printed.load(ordering: .relaxed) }

    /// Counts `message` when it is a warning (`warning: …`, or `name: warning: …`).
    package static func note(_ message: String) {
        if message.hasPrefix("warning:") || message.contains(": warning:") { printed.add(1, ordering: .relaxed) }
    }
}
