import WsimgBasics

/// Strict standard-alphabet base64 decoding (padding optional), written for multi-megabyte payloads.
package enum Base64 {
    package static let invalid: UInt8 = 0xFF
    /// Character → 6-bit value, `invalid` for anything else.
    package static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (index, char) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(char)] = UInt8(index)
        }
        return table
    }()

    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var text = String(text)
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    package static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        var length = input.count
        if length > 0, input[length - 1] == UInt8(ascii: "=") { length -= 1 }
        if length > 0, input[length - 1] == UInt8(ascii: "=") { length -= 1 }
        if length % 4 == 1 { return nil }
        if length < input.count, input.count % 4 != 0 { return nil }
        let outputCount = length / 4 * 3 + max(0, length % 4 - 1)
        return [UInt8](unsafeUninitializedCapacity: outputCount) { output, initialized in
            initialized = 0
            decodeTable.withUnsafeBufferPointer { table in
                let groups = length / 4 * 4
                var (i, o) = decodeGroups(UnsafeRawBufferPointer(rebasing: input[0..<groups]), table: table, into: output)
                guard i == groups else { return }
                let rest = length - i
                if rest >= 2 {
                    let a = table[Int(input[i])]
                    let b = table[Int(input[i + 1])]
                    let c = rest == 3 ? table[Int(input[i + 2])] : 0
                    if (a | b | c) & 0xC0 != 0 { return }
                    output[o] = a << 2 | b >> 4
                    o += 1
                    if rest == 3 {
                        output[o] = b << 4 | c >> 2
                        o += 1
                    }
                }
                initialized = o
            }
        }.validated(count: outputCount)
    }

    /// Decodes whole groups of four plain base64 characters (no padding) from `input` into `output`,
    /// stopping at the first group that holds anything else; returns the characters read and bytes written.
    @inline(__always)
    package static func decodeGroups(
        _ input: UnsafeRawBufferPointer, table: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) -> (read: Int, written: Int) {
        var i = 0
        var o = 0
        while i + 4 <= input.count {
            let a = table[Int(input[i])]
            let b = table[Int(input[i + 1])]
            let c = table[Int(input[i + 2])]
            let d = table[Int(input[i + 3])]
            if (a | b | c | d) & 0xC0 != 0 { break }
            output[o] = a << 2 | b >> 4
            output[o + 1] = b << 4 | c >> 2
            output[o + 2] = c << 6 | d
            i += 4
            o += 3
        }
        return (i, o)
    }

    package static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    package static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: encodedCount(bytes.count))
        bytes.withUnsafeBytes { input in out.withUnsafeMutableBytes { _ = encode(input, into: $0) } }
        return String(decoding: out, as: UTF8.self)
    }

    package static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Encodes `input` into `output` (at least `encodedCount(input.count)` bytes), with padding;
    /// returns how many bytes it wrote. Streams encode in pieces whose length is a multiple of 3.
    package static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        precondition(output.count >= encodedCount(input.count))
        return alphabet.withUnsafeBufferPointer { table in
            var i = 0
            var o = 0
            while i + 3 <= input.count {
                let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                output[o] = table[Int(n >> 18 & 63)]
                output[o + 1] = table[Int(n >> 12 & 63)]
                output[o + 2] = table[Int(n >> 6 & 63)]
                output[o + 3] = table[Int(n & 63)]
                i += 3
                o += 4
            }
            let rest = input.count - i
            if rest > 0 {
                let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
                output[o] = table[Int(n >> 18 & 63)]
                output[o + 1] = table[Int(n >> 12 & 63)]
                output[o + 2] = rest == 2 ? table[Int(n >> 6 & 63)] : UInt8(ascii: "=")
                output[o + 3] = UInt8(ascii: "=")
                o += 4
            }
            return o
        }
    }
}

extension Array where Element == UInt8 {
    /// The decoder stops early on an invalid character; a short result means the input was not base64.
    fileprivate func validated(count: Int) -> [UInt8]? { self.count == count ? self : nil }
}
