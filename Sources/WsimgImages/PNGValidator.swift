internal import CWsimgPNG
import Foundation
import WsimgBasics

package enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    case notPNG(String)
    case truncated
    case tooLarge(width: Int, height: Int)
    case wrongSize(expected: String, actual: String)
    case corrupt(String)
    /// A picture, but in a format wsimg does not convert (GIF, WebP, …).
    case unsupportedFormat(String)

    package var description: String {
        switch self {
        case .notPNG(let what): "not a PNG image (\(what))"
        case .truncated: "the PNG image is cut off"
        case .tooLarge(let w, let h): "the PNG claims \(w)×\(h) pixels, more than \(PNGValidator.maximumSide) a side"
        case .wrongSize(let expected, let actual): "the image is \(actual), expected \(expected)"
        case .corrupt(let reason): "the PNG image is damaged: \(reason)"
        case .unsupportedFormat(let format): "the picture is \(format), which wsimg cannot convert to PNG"
        }
    }
}

package struct PNGHeader: Sendable, Equatable {
    package let width: Int
    package let height: Int
}

package enum PNGValidator {
    package static let maximumSide = 8192
    package static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    package static let iendChunk: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    /// Reads the size from the IHDR chunk, which must come first.
    package static func header(of bytes: some Collection<UInt8>) throws(ValidationError) -> PNGHeader {
        let prefix = Array(bytes.prefix(24))
        guard !prefix.isEmpty else { throw .notPNG("empty") }
        guard signature.starts(with: prefix.prefix(8)) else { throw .notPNG(describeFormat(prefix)) }
        guard prefix.count >= 8 else { throw .truncated }
        guard prefix.count == 24 else { throw .truncated }
        guard prefix[12..<16].elementsEqual("IHDR".utf8) else { throw .corrupt("the first chunk is not IHDR") }
        func u32(_ at: Int) -> Int { prefix[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let width = u32(16)
        let height = u32(20)
        guard width > 0, height > 0 else { throw .corrupt("zero width or height") }
        guard width <= maximumSide, height <= maximumSide else { throw .tooLarge(width: width, height: height) }
        return PNGHeader(width: width, height: height)
    }

    /// Decodes every pixel with libpng; throws unless this is a complete PNG of exactly `width`×`height`.
    package static func validate(_ bytes: [UInt8], width: Int, height: Int) throws(ValidationError) {
        try checkEnds(head: bytes.prefix(24), count: bytes.count, tail: bytes.suffix(iendChunk.count), width: width, height: height)
        try decodeFully(bytes)
    }

    /// The smallest file that can hold a signature, an IHDR chunk and the IEND trailer.
    package static let minimumSize = signature.count + 25 + iendChunk.count

    /// What can be checked without decoding: the header's size (when one is expected) and the IEND trailer.
    package static func checkEnds(
        head: some Collection<UInt8>, count: Int, tail: some Collection<UInt8>,
        width: Int?, height: Int?
    ) throws(ValidationError) {
        let header = try header(of: head)
        if let width, let height, header.width != width || header.height != height {
            throw .wrongSize(expected: "\(width)×\(height)", actual: "\(header.width)×\(header.height)")
        }
        guard count >= minimumSize, tail.elementsEqual(iendChunk) else { throw .truncated }
    }

    /// Reads a file's first 24 and last 12 bytes for `checkEnds`.
    package static func checkEnds(ofFile fd: Int32, size: Int, width: Int?, height: Int?) throws(ValidationError) {
        let head = RegularFile.read(fd, count: 24, at: 0)
        let tail = size >= iendChunk.count ? RegularFile.read(fd, count: iendChunk.count, at: size - iendChunk.count) : []
        try checkEnds(head: head, count: size, tail: tail, width: width, height: height)
    }

    package static func openFile(_ path: String, followLinks: Bool = true) throws(ValidationError) -> (descriptor: Int32, size: Int) {
        do {
            return try RegularFile.open(path, followLinks: followLinks)
        } catch {
            throw .notPNG("cannot be read: \(error)")
        }
    }

    /// `validate` for a picture in a file: the header and trailer first, then a full decode that
    /// reads the file through a small buffer rather than into memory. Without a size, any size is fine.
    /// Only a regular file is opened (a FIFO named `x.png` must not block).
    package static func validate(fileAt path: String, width: Int?, height: Int?) throws(ValidationError) {
        let (fd, size) = try openFile(path)
        do {
            try checkEnds(ofFile: fd, size: size, width: width, height: height)
        } catch {
            close(fd)
            throw error
        }
        guard let file = fdopen(fd, "rb") else {
            close(fd)
            throw .notPNG("cannot be read")
        }
        defer { fclose(file) }
        var image = wsimg_png_image_new()
        guard png_image_begin_read_from_stdio(&image, file) != 0 else { throw .corrupt(message(of: &image)) }
        try finishDecoding(&image)
    }

    /// The quick check for files wsimg wrote itself (only ever after full validation, atomically):
    /// the header's size and the IEND trailer.
    package static func quickCheck(fileAt path: String, width: Int, height: Int) -> Bool {
        // Pictures wsimg made are regular files in folders others may write: a link there is no picture.
        guard let (fd, size) = try? openFile(path, followLinks: false) else { return false }
        defer { close(fd) }
        return (try? checkEnds(ofFile: fd, size: size, width: width, height: height)) != nil
    }

    private static func decodeFully(_ bytes: [UInt8]) throws(ValidationError) {
        // libpng keeps reading from the buffer until finish_read: both calls stay inside one access.
        let outcome = bytes.withUnsafeBytes { raw -> Result<Void, ValidationError> in
            var image = wsimg_png_image_new()
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                return .failure(.corrupt(message(of: &image)))
            }
            return Result { () throws(ValidationError) in try finishDecoding(&image) }
        }
        try outcome.get()
    }

    private static func finishDecoding(_ image: inout png_image) throws(ValidationError) {
        // Decoding to the file's own layout makes libpng inflate and check every row without converting
        // colours (converting to anything else costs more than the decoding itself). Palette images
        // become RGB(A), since a colour-mapped read would need a colour map.
        if image.format & UInt32(PNG_FORMAT_FLAG_COLORMAP) != 0 { image.format &= ~UInt32(PNG_FORMAT_FLAG_COLORMAP) }
        // Both sizes come from libpng's macros: the stride is in components (two bytes each at 16 bits).
        let stride = wsimg_png_row_stride(&image)
        let byteCount = wsimg_png_buffer_size(&image, stride)
        let pixels = UnsafeMutableRawPointer.allocate(byteCount: max(1, byteCount), alignment: 16)
        defer { pixels.deallocate() }
        let finished = png_image_finish_read(&image, nil, pixels, stride, nil)
        defer { png_image_free(&image) }
        guard finished != 0 else {
            let reason = message(of: &image)
            throw reason.contains("EOF") || reason.contains("Not enough") || reason.contains("truncated") ? .truncated : .corrupt(reason)
        }
    }

    static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// What a file that is not a PNG seems to be, for the error message.
    package static func describeFormat(_ prefix: [UInt8]) -> String {
        switch ImageFormat.sniff(prefix) {
        case .jpeg: return "JPEG data"
        case .unsupported(let format): return "\(format) data"
        case .png, .unknown: break
        }
        if let first = prefix.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "<") { return "text" }
        return "unknown data"
    }
}
