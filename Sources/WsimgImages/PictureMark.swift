import WsimgBasics

/// wsimg's mark in every PNG it stores: a `tEXt` chunk `wsimg-key` holding the picture's cache key,
/// right after IHDR. A picture embedded in a worksheet as a `data:` URL has lost its file name, but the
/// mark sits in its first 70 bytes, so recognising wsimg's own embedded pictures (and whether they
/// are current) costs decoding about a hundred base64 characters, not the picture.
package enum PictureMark {
    package static let keyword = "wsimg-key"
    /// Signature (8) and IHDR (4 + 4 + 13 + 4).
    package static let headerLength = 33

    /// The chunk to insert for `key`.
    package static func chunk(key: String) -> [UInt8] {
        CRC32.pngChunk("tEXt", Array(keyword.utf8) + [0] + Array(key.utf8))
    }

    /// Whether `head` (a file's first bytes) starts with a PNG signature and IHDR, so a mark fits after it.
    package static func canMark(_ head: some Collection<UInt8>) -> Bool {
        head.count >= headerLength && head.starts(with: PNGValidator.signature)
            && head.dropFirst(12).prefix(4).elementsEqual("IHDR".utf8)
    }

    /// `png` with the mark for `key` after its IHDR (unless it already has a mark, or is not a PNG).
    package static func insert(key: String, into png: [UInt8]) -> [UInt8] {
        guard canMark(png), self.key(in: png) == nil else { return png }
        return Array(png[..<headerLength]) + chunk(key: key) + png[headerLength...]
    }

    /// The key marked in a PNG's first bytes, if any.
    package static func key(in head: some Collection<UInt8>) -> String? {
        let bytes = Array(head.prefix(headerLength + 12 + keyword.count + 1 + 64))
        guard canMark(bytes), bytes.count >= headerLength + 8 else { return nil }
        let length = bytes[headerLength..<headerLength + 4].reduce(0) { $0 << 8 | Int($1) }
        let start = headerLength + 8
        guard bytes[headerLength + 4..<start].elementsEqual("tEXt".utf8), length <= 64, bytes.count >= start + length else { return nil }
        let text = bytes[start..<start + length]
        guard text.starts(with: Array(keyword.utf8) + [0]) else { return nil }
        let key = Substring(decoding: text.dropFirst(keyword.count + 1), as: UTF8.self)
        return CacheKey.isKey(key) ? String(key) : nil
    }

    /// How a PNG embedded in a worksheet begins.
    package static let dataURLPrefix = "data:image/png;base64,"

    /// The key marked in an embedded picture (`data:image/png;base64,…`), from its first characters.
    package static func key(inDataURL url: String) -> String? {
        guard url.hasPrefix(dataURLPrefix) else { return nil }
        let start = url.utf8.index(url.utf8.startIndex, offsetBy: dataURLPrefix.utf8.count)
        let head = url.utf8[start...].prefix(128)
        guard head.count == 128, let bytes = Base64.decode(String(decoding: head, as: UTF8.self)) else { return nil }
        return key(in: bytes)
    }
}
