import Foundation
import Synchronization

/// The run's secrets (the API key, the endpoint token), registered where they are read, so that every
/// place that prints or writes text from outside can replace them, whatever a server echoed back.
package enum Secrets {
    private static let known = Mutex<[String]>([])

    package static func register(_ secret: String) {
        guard secret.count >= 4 else { return }
        known.withLock { if !$0.contains(secret) { $0.append(secret) } }
    }

    /// `text` with every registered secret (in any letter case) replaced by `[redacted]`.
    package static func redact(_ text: String) -> String {
        known.withLock { $0 }.reduce(text) { $0.replacingAll($1, with: "[redacted]") }
    }
}

extension TerminalText {
    /// One line for the terminal: secrets redacted, then made safe.
    package static func line(_ text: some StringProtocol, limit: Int = 2000) -> String {
        safe(Secrets.redact(String(text)), limit: limit)
    }

}

extension String {
    /// Replaces every occurrence of `target`, ignoring ASCII case (a server may echo a header in another case).
    package func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target, options: .caseInsensitive) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
