/// 64-bit FNV-1a over length-prefixed fields: stable across runs, platforms and Swift versions
/// (unlike `Hasher`), which a file name that must survive re-runs needs.
package enum StableHash {
    package static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    package static func fnv1a64(_ fields: [String]) -> UInt64 {
        var hash = offsetBasis
        for field in fields {
            let utf8 = Array(field.utf8)
            withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { hash = mix($0, into: hash) }
            hash = mix(utf8, into: hash)
        }
        return hash
    }

    package static func mix(_ bytes: some Sequence<UInt8>, into start: UInt64) -> UInt64 {
        var hash = start
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

package enum CacheKey {
    package static let length = 12

    /// A short hex digest of everything that determines a picture.
    package static func make(_ fields: [String]) -> String {
        let hex = String(StableHash.fnv1a64(fields), radix: 16)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex
        return String(padded.prefix(length))
    }

    package static func isKey(_ text: Substring) -> Bool {
        text.count == length && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}

package enum SeedDerivation {
    /// A seed Together accepts (a non-negative 32-bit int), fixed for a given prompt and size.
    package static func seed(prompt: String, width: Int, height: Int) -> UInt32 {
        let hash = StableHash.fnv1a64(["seed", prompt, String(width), String(height)])
        return UInt32(truncatingIfNeeded: hash ^ (hash >> 32)) & 0x7FFF_FFFF
    }
}
