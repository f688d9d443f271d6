internal import CWsimgJPEG

/// Makes sure what goes to disk is a PNG: PNG bytes pass through; JPEG bytes (which the web app's
/// server sends, labelled PNG) are decoded with libjpeg-turbo and re-encoded with libpng.
public enum ImageConverter {
    public static func png(from bytes: [UInt8]) throws(ValidationError) -> [UInt8] {
        guard bytes.starts(with: [0xFF, 0xD8, 0xFF]) else { return bytes }
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: UInt32 = 0, height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let decoded = bytes.withUnsafeBufferPointer { input in
            wsimg_jpeg_decode_rgb(input.baseAddress, UInt(input.count), UInt32(PNGValidator.maximumSide),
                                  &pixels, &width, &height, &message, message.count)
        }
        guard decoded != 0, let pixels else {
            let reason = String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .corrupt("the JPEG could not be decoded: \(reason)")
        }
        defer { wsimg_jpeg_free(pixels) }
        let rgb = Array(UnsafeBufferPointer(start: pixels, count: Int(width) * Int(height) * 3))
        do {
            return try PNGEncoder.encodeRGB(rgb, width: Int(width), height: Int(height))
        } catch {
            throw .corrupt(error.description)
        }
    }

    /// Encodes RGB pixels as JPEG; for test fixtures that stand in for the web app's server.
    public static func jpeg(rgb pixels: [UInt8], width: Int, height: Int, quality: Int = 85) -> [UInt8]? {
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let ok = pixels.withUnsafeBufferPointer { wsimg_jpeg_encode_rgb($0.baseAddress, UInt32(width), UInt32(height), Int32(quality), &out, &size) }
        guard ok != 0, let out else { return nil }
        defer { wsimg_jpeg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }
}
