/// Text that came from outside (server messages, captions, prompts, file names), made safe to print:
/// one line, no control sequences a terminal would act on, bounded length.
///
/// C0 controls and DEL become caret notation (`ESC` → `^[`, a newline → `^J`), C1 controls (which
/// some terminals take as escape introducers, U+009B being a one-character CSI) and the bidirectional
/// overrides that can reorder what is shown become `<U+XXXX>`.
package enum TerminalText {
    /// A word as a shell reads it, for a command to copy: quoted when it holds anything but plain
    /// characters, or starts with one a shell reads specially there (`#` starts a comment, `~` a home).
    package static func shellWord(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./#".contains($0)) }
        return plain && !text.isEmpty && !text.hasPrefix("#") ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A file's path as a shell word that no command reads as an option: `./-x.json`.
    package static func shellPath(_ path: String) -> String {
        shellWord(path.hasPrefix("-") ? "./" + path : path)
    }

    /// `wsimg COMMAND WORKSHEET OPERAND…` as a shell reads it, for a user to paste: each word quoted,
    /// and `--` before the operands when one still starts with `-` (an element id, which no quoting
    /// keeps from reading as an option).
    package static func shellCommand(_ command: String, worksheet: String, operands: [String]) -> String {
        let separator = operands.contains { $0.hasPrefix("-") } ? ["--"] : []
        return (["wsimg", command] + separator + [shellPath(worksheet)] + operands.map(shellWord)).joined(separator: " ")
    }

    package static let defaultLimit = 300

    package static func safe(_ text: some StringProtocol, limit: Int = defaultLimit) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < limit else {
                result += "…"
                break
            }
            count += 1
            switch scalar.value {
            case 0x00..<0x20: result += "^" + String(UnicodeScalar(UInt8(scalar.value + 0x40)))
            case 0x7F: result += "^?"
            case 0x80..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C:
                result += "<U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4) + ">"
            case FileNameBytes.escapes:
                // A byte of a file name that is not UTF-8, as a shell's $'…' would write it.
                result += "\\x" + String(scalar.value - FileNameBytes.escapeBase, radix: 16, uppercase: true)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension String {
    package func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
