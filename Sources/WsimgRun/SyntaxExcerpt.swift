import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// A JSON syntax error as compilers show theirs: `file:line:column: message`, then the line (a
/// window of it around the column, for a worksheet saved on one long line) with a caret under the spot.
package enum SyntaxExcerpt {
    package static let window = 60

    package static func lines(for error: JSONSyntaxError, in path: String, shownAs name: String) -> [String] {
        let head = "\(TerminalText.safe(name)):\(error.line):\(error.column): \(error.message)"
        guard let text = window(of: path, line: error.line, column: error.column) else { return [head] }
        return [head, "  " + text.line, "  " + String(repeating: " ", count: text.caret) + "^"]
    }

    /// Up to `window` characters of line `line` on each side of `column`, made safe to print, and
    /// where the caret goes under them.
    package static func window(of path: String, line: Int, column: Int) -> (line: String, caret: Int)? {
        let source = WorksheetSource(path: path)
        var currentLine = 1
        var characters = 0
        var before: [UInt8] = []
        var after: [UInt8] = []
        var afterCharacters = 0
        var done = false
        let failure = source.forEachChunk { (chunk: UnsafeRawBufferPointer) in
            for byte in chunk where !done {
                if currentLine < line {
                    if byte == 0x0A { currentLine += 1 }
                    continue
                }
                if byte == 0x0A || byte == 0x0D {
                    done = true
                    break
                }
                let starts = byte & 0xC0 != 0x80
                if characters + (starts ? 1 : 0) < column {
                    if starts { characters += 1 }
                    before.append(byte)
                    // Keep only the last `window` characters before the column.
                    if before.count > window * 4 { before.removeFirst(before.count - window * 4) }
                } else {
                    if starts { afterCharacters += 1 }
                    if afterCharacters > window {
                        done = true
                        break
                    }
                    after.append(byte)
                }
            }
        }
        guard failure == nil, currentLine == line else { return nil }
        var lead = String(decoding: before, as: UTF8.self)
        if lead.count > window { lead = "…" + String(lead.suffix(window)) }
        let shownLead = TerminalText.line(lead)
        let rest = TerminalText.line(String(decoding: after, as: UTF8.self)) + (afterCharacters > window ? "…" : "")
        return (shownLead + rest, shownLead.count)
    }
}
