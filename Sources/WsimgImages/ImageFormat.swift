import WsimgBasics

/// What kind of picture some bytes are, from their first bytes.
package enum ImageFormat: Sendable, Equatable {
    case png
    case jpeg
    /// A picture format wsimg cannot turn into PNG (WebP, GIF, AVIF, …): asking again gives the same.
    case unsupported(String)
    /// Not a picture at all, or too little of one to tell.
    case unknown

    package static func sniff(_ bytes: some Collection<UInt8>) -> ImageFormat {
        let head = Array(bytes.prefix(16))
        if head.starts(with: PNGValidator.signature) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) { return .unsupported("GIF") }
        if head.count >= 12, head.starts(with: Array("RIFF".utf8)), head[8..<12].elementsEqual("WEBP".utf8) { return .unsupported("WebP") }
        if head.count >= 12, head[4..<8].elementsEqual("ftyp".utf8) {
            let brand = String(decoding: head[8..<12], as: UTF8.self)
            return .unsupported(brand.hasPrefix("avi") ? "AVIF" : brand.hasPrefix("hei") || brand.hasPrefix("mif") ? "HEIF" : "ISO media (\(TerminalText.safe(brand)))")
        }
        if head.starts(with: Array("BM".utf8)), head.count >= 14 { return .unsupported("BMP") }
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { return .unsupported("TIFF") }
        return .unknown
    }
}
