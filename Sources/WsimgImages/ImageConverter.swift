internal import CWsimgJPEG
import WsimgBasics

/// Makes sure what goes to disk is a PNG: PNG bytes pass through; JPEG bytes (FLUX.1 schnell's
/// default, and what the web app's server sends labelled PNG) are decoded with libjpeg-turbo and
/// re-encoded with libpng; other picture formats are refused.
package enum ImageConverter {
    /// With `width` and `height`, a JPEG of another size is refused from its header, before decoding.
    package static func png(from bytes: [UInt8], width: Int? = nil, height: Int? = nil) throws(ValidationError) -> [UInt8] {
        switch ImageFormat.sniff(bytes) {
        case .png, .unknown: return bytes
        case .unsupported(let format): throw .unsupportedFormat(format)
        case .jpeg: break
        }
        var pixels: UnsafeMutablePointer<UInt8>?
        var actualWidth: UInt32 = 0
        var actualHeight: UInt32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let decoded = bytes.withUnsafeBufferPointer { input in
            wsimg_jpeg_decode_rgb(
                input.baseAddress, UInt(input.count), UInt32(PNGValidator.maximumSide),
                UInt32(width ?? 0), UInt32(height ?? 0),
                &pixels, &actualWidth, &actualHeight, &message, message.count)
        }
        if decoded == 2, let width, let height {
            throw .wrongSize(expected: "\(width)×\(height)", actual: "\(actualWidth)×\(actualHeight) (JPEG)")
        }
        guard decoded == 1, let pixels else {
            let reason = String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .corrupt("the JPEG could not be decoded: \(reason)")
        }
        defer { wsimg_jpeg_free(pixels) }
        let rgb = Array(UnsafeBufferPointer(start: pixels, count: Int(actualWidth) * Int(actualHeight) * 3))
        do {
            return try PNGEncoder.encodeRGB(rgb, width: Int(actualWidth), height: Int(actualHeight))
        } catch {
            throw .corrupt(error.description)
        }
    }

    /// Encodes RGB pixels as JPEG; for test fixtures that stand in for Together and the web app's server.
    package static func jpeg(rgb pixels: [UInt8], width: Int, height: Int, quality: Int = 85) -> [UInt8]? {
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let ok = pixels.withUnsafeBufferPointer { wsimg_jpeg_encode_rgb($0.baseAddress, UInt32(width), UInt32(height), Int32(quality), &out, &size) }
        guard ok != 0, let out else { return nil }
        defer { wsimg_jpeg_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }
}
