import Foundation
import Synchronization

/// Writes to stdout and stderr with plain `write(2)`, so a closed pipe (`wsimg … 2>&1 | head`, a CI log
/// collector that went away) is an interruption like SIGTERM, not a crash that links nothing.
package enum Console {
    private static let brokenPipe = Atomic<Bool>(false)

    package static func out(_ text: String) { write(Array(text.utf8), to: STDOUT_FILENO) }
    package static func err(_ text: String) { write(Array(text.utf8), to: STDERR_FILENO) }

    /// A message from wsimg on stderr, on one line made safe to print (`wsimg: …`).
    package static func report(_ message: String) {
        err(TerminalText.line("wsimg: \(message)") + "\n")
    }

    /// A note or warning from wsimg on stderr (`wsimg: warning: …`); warnings are counted for `--strict`.
    package static func report(_ diagnostic: Diagnostic) {
        Warnings.note(diagnostic)
        report(diagnostic.description)
    }

    package static func write(_ bytes: [UInt8], to descriptor: Int32) {
        guard !brokenPipe.load(ordering: .relaxed) else { return }
        let failure = bytes.withUnsafeBytes { AtomicFile.writeAll($0, to: descriptor) }
        if failure != nil, errno == EPIPE, !brokenPipe.exchange(true, ordering: .relaxed) {
            Interruption.trigger()
        }
    }
}

/// What an interruption (SIGINT, SIGTERM, SIGHUP, a broken output pipe) does: the executable installs
/// the handler, which asks `response(toInterruption:)` what to do.
package enum Interruption {
    private static let handler = Mutex<(@Sendable () -> Void)?>(nil)
    private static let received = Atomic<Int>(0)
    /// True while the running command has nothing to save, so an interruption may end the process
    /// at once (`validate`, `prompts`, `generate` before it starts generating).
    package static let exitsAtOnce = Atomic<Bool>(true)
    /// How long the clean stop may go on after a second interruption: its writes (links, the report,
    /// the closing line) take milliseconds; a stop stuck on a pipe nobody reads does not hold the process.
    package static let graceAfterSecond = 2.0

    package enum Response: Equatable, Sendable {
        /// Cancel the command, which keeps and links what it has and says so.
        case stopCleanly
        /// Let the clean stop finish, but end the process after this many seconds if it has not.
        case exitAfter(seconds: Double)
        case exitNow
    }

    /// The first interruption stops cleanly. Two often arrive together (a double-tapped key, or
    /// `timeout -s INT` signalling the process and then its group), so the second only bounds the
    /// clean stop; a third ends the process.
    package static func response(toInterruption number: Int, nothingToSave: Bool) -> Response {
        if nothingToSave { return .exitNow }
        switch number {
        case ...1: return .stopCleanly
        case 2: return .exitAfter(seconds: graceAfterSecond)
        default: return .exitNow
        }
    }

    /// Counts an interruption and returns what to do about it.
    package static func next() -> Response {
        let number = received.wrappingAdd(1, ordering: .relaxed).newValue
        return response(toInterruption: number, nothingToSave: exitsAtOnce.load(ordering: .relaxed))
    }

    package static func install(_ action: @escaping @Sendable () -> Void) {
        handler.withLock { $0 = action }
    }

    package static func trigger() {
        if let action = handler.withLock({ $0 }) { action() }
    }
}
