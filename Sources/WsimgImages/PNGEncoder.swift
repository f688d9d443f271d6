internal import CWsimgPNG
import WsimgBasics

package enum PNGEncoder {
    package enum Failure: Error, Equatable, CustomStringConvertible {
        case libpng(String)

        package var description: String {
            switch self {
            case .libpng(let reason): "could not encode PNG: \(reason)"
            }
        }
    }

    /// Encodes 8-bit RGB pixels, row after row, as a PNG file's bytes.
    package static func encodeRGB(_ pixels: [UInt8], width: Int, height: Int) throws(Failure) -> [UInt8] {
        precondition(pixels.count == width * height * 3, "pixel buffer does not match the size")
        var image = wsimg_png_image_new()
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_RGB)
        var size = 0
        let stride = Int32(width * 3)
        let measured = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, stride, nil) }
        guard measured != 0 else { throw .libpng(PNGValidator.message(of: &image)) }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { out in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, out.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard written != 0 else { throw .libpng(PNGValidator.message(of: &image)) }
        output.removeLast(output.count - size)
        return output
    }
}
