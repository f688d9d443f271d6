/// Text that came from outside (server messages, captions, prompts, file names), made safe to print:
/// one line, no control sequences a terminal would act on, bounded length.
///
/// C0 controls and DEL become caret notation (`ESC` → `^[`, a newline → `^J`), C1 controls (which
/// some terminals take as escape introducers, U+009B being a one-character CSI) and the bidirectional
/// overrides that can reorder what is shown become `<U+XXXX>`.
public enum TerminalText {
    /// A word as a shell reads it, for a command to copy: quoted when it holds anything but plain characters.
    public static func shellWord(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./#".contains($0)) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public static let defaultLimit = 300

    public static func safe(_ text: some StringProtocol, limit: Int = defaultLimit) -> String {
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
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
