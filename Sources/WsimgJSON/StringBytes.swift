import WsimgBasics

/// Byte tests the scanner runs over megabytes of string text.
package enum StringBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first byte in `bytes[from..<to]` that ends a plain run of string text — a quote,
    /// a backslash, a control character or a non-ASCII byte — or `to`. Eight bytes a step: a flag is
    /// exact for the lowest such byte, which is the only one used.
    package static func firstSpecial(in bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int {
        var index = start
        while index + 8 <= end {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let flags = (word & highs) | zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C)) | ((word &- ones &* 0x20) & ~word & highs)
            if flags != 0 { return index + flags.trailingZeroBitCount >> 3 }
            index += 8
        }
        while index < end {
            let byte = bytes[index]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 { return index }
            index += 1
        }
        return end
    }

    private static func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }

    /// Decodes a string's bytes as written between the quotes (already checked by the scanner). With
    /// `truncated`, an escape cut off at the end is dropped, as is a cut UTF-8 sequence.
    package static func decode(_ raw: [UInt8], truncated: Bool = false) -> String {
        String(decoding: decodeBytes(raw, truncated: truncated), as: UTF8.self)
    }

    /// As `decode`, as UTF-8 bytes (a string without escapes is returned as it is).
    package static func decodeBytes(_ raw: [UInt8], truncated: Bool = false) -> [UInt8] {
        guard raw.contains(0x5C) else { return truncated ? Array(raw.prefix(completeUTF8Prefix(raw))) : raw }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            return UInt32(String(decoding: raw[at..<at + 4], as: UTF8.self), radix: 16)
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == 0x5C else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < raw.count else { break }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(index) else {
                    index = raw.count
                    break
                }
                index += 4
                // A high half followed by a low half is one character; a half alone becomes U+FFFD.
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= raw.count, raw[index] == 0x5C, raw[index + 1] == UInt8(ascii: "u"),
                    let low = hex4(index + 2), (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                } else if (0xD800..<0xDC00).contains(scalar), truncated, index + 6 > raw.count {
                    break
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
            default: out.append(escape)
            }
        }
        return truncated ? Array(out.prefix(completeUTF8Prefix(out))) : out
    }

    /// The length of `bytes` without a UTF-8 sequence cut off at its end.
    private static func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
        var start = bytes.count
        while start > 0, start > bytes.count - 4, bytes[start - 1] & 0xC0 == 0x80 { start -= 1 }
        guard start > 0 else { return bytes.count }
        let lead = bytes[start - 1]
        let needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return bytes.count - (start - 1) >= needed ? bytes.count : start - 1
    }
}
