import Foundation

/// File names are bytes, not text: a worksheet on an old school file server may be `lesson\xff.json`.
/// wsimg keeps such a name whole from `argv` and `readdir` to `open`: each byte that is not part of
/// valid UTF-8 travels in a `String` as one private-use scalar (U+10FC80 + byte − 0x80, as Python's
/// "surrogateescape" does with surrogates, which Swift strings cannot hold) and becomes that byte
/// again at every system call (`SystemCalls.swift`). A real name holding one of those scalars has
/// its bytes escaped the same way, so every name comes back exactly.
package enum FileNameBytes {
    package static let escapeBase: UInt32 = 0x10FC00
    package static let escapes: ClosedRange<UInt32> = 0x10FC80...0x10FCFF

    /// The name `bytes` (no NUL) as a `String` that `withPath` turns back into the same bytes.
    package static func decode(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let length = validSequenceLength(bytes, at: index)
            if length > 0, let scalar = scalar(bytes[index..<index + length]), !escapes.contains(scalar.value) {
                scalars.append(scalar)
                index += length
            } else {
                // An invalid byte, or each byte of a real escape scalar: escaped one by one.
                for byte in bytes[index..<index + max(length, 1)] { scalars.append(escaped(byte)) }
                index += max(length, 1)
            }
        }
        return String(scalars)
    }

    /// A C string (`argv`, `d_name`, `realpath`) as `decode` gives it.
    package static func decode(cString: UnsafePointer<CChar>) -> String {
        decode(UnsafeBufferPointer(start: UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self), count: strlen(cString)))
    }

    /// The arguments the process was started with (not its name), each kept as a name is.
    package static func commandLineArguments() -> [String] {
        (1..<Int(CommandLine.argc)).compactMap { CommandLine.unsafeArgv[$0].map { decode(cString: $0) } }
    }

    /// The bytes `path` names on disk.
    package static func encode(_ path: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in path.unicodeScalars {
            if escapes.contains(scalar.value) {
                bytes.append(UInt8(scalar.value - escapeBase))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    /// Calls `body` with `path` as the NUL-terminated bytes a system call takes.
    package static func withPath<Result>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        guard path.unicodeScalars.contains(where: { escapes.contains($0.value) }) else { return try path.withCString(body) }
        let bytes = encode(path).map { CChar(bitPattern: $0) } + [0]
        return try bytes.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// Whether `scalar` stands for a byte of a name that is not UTF-8, and which.
    package static func byte(escapedAs scalar: Unicode.Scalar) -> UInt8? {
        escapes.contains(scalar.value) ? UInt8(scalar.value - escapeBase) : nil
    }

    private static func escaped(_ byte: UInt8) -> Unicode.Scalar { Unicode.Scalar(escapeBase + UInt32(byte))! }

    private static func scalar(_ bytes: ArraySlice<UInt8>) -> Unicode.Scalar? {
        String(decoding: bytes, as: UTF8.self).unicodeScalars.first
    }

    /// How many bytes the valid UTF-8 sequence at `index` takes (0 when there is none).
    private static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            let range = offset == 1 ? low...high : 0x80...0xBF
            guard range.contains(byte) else { return 0 }
        }
        return length
    }
}
