import WsimgBasics

/// A strict RFC 8259 push scanner: fed a document in chunks of any size, it reports events at absolute
/// offsets (see `JSONScanEvents`) and keeps only a stack of open containers and the text of values it
/// was asked for. Strings are skipped by searching for their end, so megabytes of base64 cost a scan.
///
/// Its state survives between chunks (as in Go's `encoding/json` scanner), so the document never has
/// to be in memory: memory depends on nesting depth, not on the file.
package struct JSONScanner {
    /// Strings longer than this (as written) keep only their first `headLimit` bytes.
    package static let textLimit = 64 << 10
    package static let headLimit = 256
    package static let keyLimit = 256

    private enum Expect {
        case document, value, valueOrArrayEnd, keyOrObjectEnd, key, colon, commaOrEnd, done
    }

    private enum NumberStep { case minus, zero, integer, dot, fraction, exponent, exponentSign, exponentDigits }

    private enum Token {
        case none
        case string(isKey: Bool)
        case number(NumberStep)
        case literal(StaticString, matched: Int)
    }

    /// Inside a string: an escape in progress, or a UTF-8 sequence in progress.
    private enum Escape {
        case none
        case backslash
        case hex(remaining: Int, value: UInt32)
        /// After a high surrogate: the `\` and `u` of its low half.
        case lowBackslash(high: UInt32)
        case lowU(high: UInt32)
        case lowHex(high: UInt32, remaining: Int, value: UInt32)
    }

    package let maxDepth: Int
    private var expect = Expect.document
    private var token = Token.none
    private var stack: [Bool] = []
    private var offset = 0
    private var line = 1
    private var lineStart = 0
    /// UTF-8 continuation bytes since `lineStart`: columns count characters, not bytes.
    private var continuations = 0
    private var tokenStart = 0
    /// How many bytes of a leading byte order mark were seen.
    private var byteOrderMark = 0
    private var lastKey = ""

    private var escape = Escape.none
    private var utf8Remaining = 0
    private var utf8Next: ClosedRange<UInt8> = 0x80...0xBF
    private var capturing = false
    /// The string being read has a `\\u` escape of half a surrogate pair, alone.
    private var loneSurrogate = false
    private var raw: [UInt8] = []
    private var rawLength = 0
    private var digest = XXHash64()

    package init(maxDepth: Int = JSONParser.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    package mutating func feed<Events: JSONScanEvents>(_ chunk: UnsafeRawBufferPointer, into events: inout Events) throws(JSONSyntaxError) {
        var index = 0
        let count = chunk.count
        while index < count {
            if case .string = token {
                if case .none = escape, utf8Remaining == 0 {
                    let end = StringBytes.firstSpecial(in: chunk, from: index, to: count)
                    if end > index {
                        take(UnsafeRawBufferPointer(rebasing: chunk[index..<end]))
                        index = end
                        if index == count { break }
                    }
                }
                try stringByte(chunk[index], at: offset + index, events: &events)
                index += 1
                continue
            }
            if try tokenByte(chunk[index], at: offset + index, events: &events) { index += 1 }
        }
        offset += count
    }

    /// Call after the last chunk: the document must be complete.
    package mutating func finish<Events: JSONScanEvents>(into events: inout Events) throws(JSONSyntaxError) {
        switch token {
        case .string: throw error("unterminated string", at: offset)
        case .literal: throw error("unexpected end of file", at: offset)
        case .number(let step):
            guard [.zero, .integer, .fraction, .exponentDigits].contains(step) else { throw error("invalid number", at: offset) }
            endNumber(at: offset, events: &events)
        case .none: break
        }
        switch expect {
        case .done: return
        case .document: throw error("the file is empty", at: offset)
        default: throw error("unexpected end of file", at: offset)
        }
    }

    /// One byte outside strings; false when the byte ended a number and must be looked at again.
    private mutating func tokenByte<Events: JSONScanEvents>(_ byte: UInt8, at position: Int, events: inout Events) throws(JSONSyntaxError) -> Bool {
        switch token {
        case .number(let step):
            if let next = Self.numberStep(step, byte) {
                token = .number(next)
                if capturing { appendRaw(byte) }
                return true
            }
            switch step {
            case .zero, .integer, .fraction, .exponentDigits:
                endNumber(at: position, events: &events)
                return false
            case .minus: throw error("invalid number", at: position)
            case .dot: throw error("invalid number: expected a digit after '.'", at: position)
            case .exponent, .exponentSign: throw error("invalid number: expected a digit in the exponent", at: position)
            }
        case .literal(let literal, let matched):
            let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            guard byte == expected[matched] else { throw error("unexpected character \(Self.describe(expected[0]))", at: tokenStart) }
            if matched + 1 < expected.count {
                token = .literal(literal, matched: matched + 1)
                return true
            }
            token = .none
            let value: ScannedScalar = expected[0] == UInt8(ascii: "n") ? .null : .bool(expected[0] == UInt8(ascii: "t"))
            events.scalar(value, range: tokenStart..<position + 1)
            valueEnded()
            return true
        case .none, .string:
            break
        }
        switch byte {
        case 0x20, 0x09, 0x0D: return true
        case 0x0A:
            line += 1
            lineStart = position + 1
            continuations = 0
            return true
        default: break
        }
        if expect == .document, position < 3, position == byteOrderMark, byte == [0xEF, 0xBB, 0xBF][position] {
            byteOrderMark += 1
            if byteOrderMark == 3 { continuations += 2 }
            return true
        }
        if (1..<3).contains(byteOrderMark) { throw error("unexpected character byte 0xEF", at: 0) }
        switch expect {
        case .document, .value, .valueOrArrayEnd:
            if expect == .valueOrArrayEnd, byte == UInt8(ascii: "]") {
                endContainer(at: position, events: &events)
                return true
            }
            try beginValue(byte, at: position, events: &events)
        case .keyOrObjectEnd, .key:
            if expect == .keyOrObjectEnd, byte == UInt8(ascii: "}") {
                endContainer(at: position, events: &events)
                return true
            }
            guard byte == UInt8(ascii: "\"") else { throw error("expected a quoted key", at: position) }
            beginString(isKey: true, at: position, capture: true)
        case .colon:
            guard byte == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(lastKey)\"", at: position) }
            expect = .value
        case .commaOrEnd:
            let inObject = stack.last == true
            if byte == UInt8(ascii: ",") {
                expect = inObject ? .key : .value
            } else if byte == UInt8(ascii: inObject ? "}" : "]") {
                endContainer(at: position, events: &events)
            } else {
                throw error(inObject ? "expected ',' or '}' in object" : "expected ',' or ']' in array", at: position)
            }
        case .done:
            throw error("unexpected text after the end of the JSON value", at: position)
        }
        return true
    }

    private mutating func beginValue<Events: JSONScanEvents>(_ byte: UInt8, at position: Int, events: inout Events) throws(JSONSyntaxError) {
        tokenStart = position
        guard stack.count < maxDepth else { throw error("nested deeper than \(maxDepth) levels", at: position) }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = byte == UInt8(ascii: "{")
            stack.append(isObject)
            expect = isObject ? .keyOrObjectEnd : .valueOrArrayEnd
            events.beginContainer(isObject: isObject, at: position)
        case UInt8(ascii: "\""):
            beginString(isKey: false, at: position, capture: events.wantsNextValue())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            capturing = events.wantsNextValue()
            raw.removeAll(keepingCapacity: true)
            rawLength = 0
            if capturing { appendRaw(byte) }
            token = .number(byte == UInt8(ascii: "-") ? .minus : byte == UInt8(ascii: "0") ? .zero : .integer)
        case UInt8(ascii: "t"): token = .literal("true", matched: 1)
        case UInt8(ascii: "f"): token = .literal("false", matched: 1)
        case UInt8(ascii: "n"): token = .literal("null", matched: 1)
        default: throw error("unexpected character \(Self.describe(byte))", at: position)
        }
    }

    private mutating func endContainer<Events: JSONScanEvents>(at position: Int, events: inout Events) {
        stack.removeLast()
        events.endContainer(at: position + 1)
        valueEnded()
    }

    private mutating func valueEnded() {
        expect = stack.isEmpty ? .done : .commaOrEnd
    }

    private mutating func endNumber<Events: JSONScanEvents>(at position: Int, events: inout Events) {
        token = .none
        let text = capturing ? (rawLength > Self.textLimit ? "1e999" : String(decoding: raw, as: UTF8.self)) : ""
        events.scalar(.number(text), range: tokenStart..<position)
        valueEnded()
    }

    private static func numberStep(_ step: NumberStep, _ byte: UInt8) -> NumberStep? {
        let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        let exponent = byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        switch step {
        case .minus: return byte == UInt8(ascii: "0") ? .zero : digit ? .integer : nil
        case .zero: return byte == UInt8(ascii: ".") ? .dot : exponent ? .exponent : nil
        case .integer: return digit ? .integer : byte == UInt8(ascii: ".") ? .dot : exponent ? .exponent : nil
        case .dot: return digit ? .fraction : nil
        case .fraction: return digit ? .fraction : exponent ? .exponent : nil
        case .exponent: return byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") ? .exponentSign : digit ? .exponentDigits : nil
        case .exponentSign, .exponentDigits: return digit ? .exponentDigits : nil
        }
    }

    // MARK: Strings

    private mutating func beginString(isKey: Bool, at position: Int, capture: Bool) {
        token = .string(isKey: isKey)
        tokenStart = position
        capturing = capture
        raw.removeAll(keepingCapacity: true)
        rawLength = 0
        digest = XXHash64()
        escape = .none
        utf8Remaining = 0
        loneSurrogate = false
    }

    /// Plain string text (no quote, backslash, control or non-ASCII byte).
    private mutating func take(_ bytes: UnsafeRawBufferPointer) {
        guard capturing else { return }
        let room = Self.textLimit + 1 - raw.count
        if room > 0 { raw.append(contentsOf: bytes.prefix(room)) }
        rawLength += bytes.count
        digest.update(bytes)
    }

    private mutating func appendRaw(_ byte: UInt8) {
        guard capturing else { return }
        if raw.count <= Self.textLimit { raw.append(byte) }
        rawLength += 1
        withUnsafeBytes(of: byte) { digest.update($0) }
    }

    private mutating func stringByte<Events: JSONScanEvents>(_ byte: UInt8, at position: Int, events: inout Events) throws(JSONSyntaxError) {
        if utf8Remaining > 0 {
            guard utf8Next.contains(byte) else { throw error("string is not valid UTF-8", at: position) }
            utf8Remaining -= 1
            utf8Next = 0x80...0xBF
            continuations += 1
            appendRaw(byte)
            return
        }
        switch escape {
        case .none:
            break
        case .backslash:
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                UInt8(ascii: "r"), UInt8(ascii: "t"):
                escape = .none
            case UInt8(ascii: "u"): escape = .hex(remaining: 4, value: 0)
            default: throw error("invalid escape \\\(Self.describe(byte))", at: position)
            }
            appendRaw(byte)
            return
        case .hex(let remaining, let value):
            guard let digit = Self.hexDigit(byte) else { throw error("invalid hex digit in \\u escape", at: position) }
            let scalar = value << 4 | digit
            appendRaw(byte)
            guard remaining == 1 else {
                escape = .hex(remaining: remaining - 1, value: scalar)
                return
            }
            // A lone surrogate is valid JSON (RFC 8259 §8.2; JSON.parse keeps it): it is noted, and read as U+FFFD.
            if (0xDC00..<0xE000).contains(scalar) { loneSurrogate = true }
            escape = (0xD800..<0xDC00).contains(scalar) ? .lowBackslash(high: scalar) : .none
            return
        case .lowBackslash(let high):
            guard byte == UInt8(ascii: "\\") else {
                // The high half stands alone; this byte is ordinary string text.
                loneSurrogate = true
                escape = .none
                break
            }
            escape = .lowU(high: high)
            appendRaw(byte)
            return
        case .lowU(let high):
            guard byte == UInt8(ascii: "u") else {
                // The high half stands alone, and this is another escape.
                loneSurrogate = true
                escape = .backslash
                try stringByte(byte, at: position, events: &events)
                return
            }
            escape = .lowHex(high: high, remaining: 4, value: 0)
            appendRaw(byte)
            return
        case .lowHex(let high, let remaining, let value):
            guard let digit = Self.hexDigit(byte) else { throw error("invalid hex digit in \\u escape", at: position) }
            let scalar = value << 4 | digit
            appendRaw(byte)
            guard remaining == 1 else {
                escape = .lowHex(high: high, remaining: remaining - 1, value: scalar)
                return
            }
            guard (0xDC00..<0xE000).contains(scalar) else {
                // The high half stands alone; this escape is a character of its own, or another high half.
                loneSurrogate = true
                escape = (0xD800..<0xDC00).contains(scalar) ? .lowBackslash(high: scalar) : .none
                return
            }
            escape = .none
            return
        }
        switch byte {
        case UInt8(ascii: "\""):
            endString(at: position, events: &events)
        case UInt8(ascii: "\\"):
            escape = .backslash
            appendRaw(byte)
        case 0..<0x20:
            throw error("control character in string", at: position)
        case 0x80...:
            switch byte {
            case 0xC2...0xDF: (utf8Remaining, utf8Next) = (1, 0x80...0xBF)
            case 0xE0: (utf8Remaining, utf8Next) = (2, 0xA0...0xBF)
            case 0xE1...0xEC, 0xEE...0xEF: (utf8Remaining, utf8Next) = (2, 0x80...0xBF)
            case 0xED: (utf8Remaining, utf8Next) = (2, 0x80...0x9F)
            case 0xF0: (utf8Remaining, utf8Next) = (3, 0x90...0xBF)
            case 0xF1...0xF3: (utf8Remaining, utf8Next) = (3, 0x80...0xBF)
            case 0xF4: (utf8Remaining, utf8Next) = (3, 0x80...0x8F)
            default: throw error("string is not valid UTF-8", at: position)
            }
            appendRaw(byte)
        default:
            appendRaw(byte)
        }
    }

    private mutating func endString<Events: JSONScanEvents>(at position: Int, events: inout Events) {
        guard case .string(let isKey) = token else { return }
        token = .none
        let range = tokenStart..<position + 1
        if isKey {
            let name = raw.count <= Self.keyLimit ? StringBytes.decode(raw) : nil
            lastKey = name.map { String($0.prefix(40)) } ?? "…"
            events.key(name, range: range)
            expect = .colon
            return
        }
        var value: ScannedString?
        if capturing {
            let whole = rawLength <= Self.textLimit
            let text = whole ? StringBytes.decode(raw) : nil
            value = ScannedString(
                text: text, head: text ?? StringBytes.decode(Array(raw.prefix(Self.headLimit)), truncated: true),
                length: rawLength, digest: digest.finish(), hasLoneSurrogate: loneSurrogate)
        }
        events.scalar(.string(value), range: range)
        valueEnded()
    }

    package static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    package static func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private func error(_ message: String, at position: Int) -> JSONSyntaxError {
        // Bytes of this line not yet counted (a multi-byte character's continuation bytes) only occur
        // in strings, where they are counted as they pass.
        JSONSyntaxError(message: message, line: line, column: position - lineStart - continuations + 1)
    }
}
