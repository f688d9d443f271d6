import Foundation
import Synchronization

/// Writes to stdout and stderr with plain `write(2)`, so a closed pipe (`wsimg … 2>&1 | head`, a CI log
/// collector that went away) is an interruption like SIGTERM, not a crash that links nothing.
public enum Console {
    private static let brokenPipe = Atomic<Bool>(false)

    public static func out(_ text: String) { write(Array(text.utf8), to: STDOUT_FILENO) }
    public static func err(_ text: String) { write(Array(text.utf8), to: STDERR_FILENO) }

    /// A message from wsimg on stderr, on one line made safe to print (`wsimg: …`); warnings among
    /// them are counted for `--strict`.
    static func report(_ message: String) {
        Warnings.note(message)
        err(TerminalText.line("wsimg: \(message)") + "\n")
    }

    static func write(_ bytes: [UInt8], to descriptor: Int32) {
        guard !brokenPipe.load(ordering: .relaxed) else { return }
        let failure = bytes.withUnsafeBytes { AtomicFile.writeAll($0, to: descriptor) }
        if failure != nil, errno == EPIPE, !brokenPipe.exchange(true, ordering: .relaxed) {
            Interruption.trigger()
        }
    }
}

/// What an interruption (SIGINT, SIGTERM, SIGHUP, a broken output pipe) does: the executable installs
/// the handler (cancel the running command; a second interruption exits at once).
public enum Interruption {
    private static let handler = Mutex<(@Sendable () -> Void)?>(nil)
    /// True while the running command has nothing to save, so an interruption may end the process
    /// at once (`validate`, `prompts`, `generate` before it starts generating).
    public static let exitsAtOnce = Atomic<Bool>(true)

    public static func install(_ action: @escaping @Sendable () -> Void) {
        handler.withLock { $0 = action }
    }

    public static func trigger() {
        if let action = handler.withLock({ $0 }) { action() }
    }
}
