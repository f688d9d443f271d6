/// Applies edits to a JSON document's source text, leaving every byte outside the edits as it was.
public struct JSONEditor {
    public let source: [UInt8]
    private var edits: [(range: Range<Int>, text: [UInt8])] = []

    public init(source: [UInt8]) {
        self.source = source
    }

    /// Replaces the value `node` with `json`, which must already be valid JSON text.
    public mutating func replace(_ node: JSONNode, with json: String) {
        edits.append((node.range, Array(json.utf8)))
    }

    /// Sets `key` in `object` to `json`: replaces the value if the key exists, otherwise appends a member
    /// laid out like its siblings.
    public mutating func set(_ key: String, to json: String, in object: JSONNode) {
        guard case .object(let members) = object.value else { return }
        if let existing = members.last(where: { $0.key == key }) {
            replace(existing.node, with: json)
            return
        }
        let member = JSONWriter.quoted(key) + memberSeparator(members) + json
        guard let last = members.last else {
            let insertAt = object.range.lowerBound + 1
            edits.append((insertAt..<insertAt, Array(member.utf8)))
            return
        }
        let insertAt = last.node.range.upperBound
        edits.append((insertAt..<insertAt, Array(("," + leadingWhitespace(of: last, in: members) + member).utf8)))
    }

    public func apply() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(source.count + edits.reduce(0) { $0 + $1.text.count })
        var cursor = 0
        for edit in edits.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            output.append(contentsOf: source[cursor..<edit.range.lowerBound])
            output.append(contentsOf: edit.text)
            cursor = edit.range.upperBound
        }
        output.append(contentsOf: source[cursor...])
        return output
    }

    /// The text between the member before `member` (or the opening brace) and `member`'s key, without the comma.
    private func leadingWhitespace(of member: JSONMember, in members: [JSONMember]) -> String {
        var start = member.keyRange.lowerBound
        while start > 0, [0x20, 0x09, 0x0A, 0x0D].contains(source[start - 1]) { start -= 1 }
        let text = source[start..<member.keyRange.lowerBound]
        return members.count > 1 || text.contains(0x0A) ? String(decoding: text, as: UTF8.self) : " "
    }

    /// The text between a sibling's key and value (`": "` in most files).
    private func memberSeparator(_ members: [JSONMember]) -> String {
        guard let last = members.last else { return ": " }
        return String(decoding: source[last.keyRange.upperBound..<last.node.range.lowerBound], as: UTF8.self)
    }
}

public enum JSONWriter {
    /// `text` as a JSON string literal. Non-ASCII characters are written as UTF-8, not escaped.
    public static func quoted(_ text: String) -> String {
        // Plain ASCII with nothing to escape (a data: URL's megabytes of base64): as it is.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }
}
