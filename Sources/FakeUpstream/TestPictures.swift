import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Well-formed PNGs of every kind the format allows, made byte by byte (stored deflate blocks, real
/// CRCs and Adler-32), so tests and fuzzers reach every branch of a decoder: all colour types, all
/// their bit depths, Adam7 interlacing, every row filter.
package enum TestPictures {
    package enum ColorType: UInt8, Sendable, CaseIterable {
        case gray = 0
        case rgb = 2
        case palette = 3
        case grayAlpha = 4
        case rgba = 6

        package var depths: [Int] {
            switch self {
            case .gray: [1, 2, 4, 8, 16]
            case .palette: [1, 2, 4, 8]
            case .rgb, .grayAlpha, .rgba: [8, 16]
            }
        }

        var channels: Int {
            switch self {
            case .gray, .palette: 1
            case .grayAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    package struct Kind: Sendable, CustomStringConvertible {
        package let colorType: ColorType
        package let bitDepth: Int
        package let interlaced: Bool

        package init(colorType: ColorType, bitDepth: Int, interlaced: Bool) {
            self.colorType = colorType
            self.bitDepth = bitDepth
            self.interlaced = interlaced
        }

        package var description: String { "\(colorType) \(bitDepth)-bit\(interlaced ? " interlaced" : "")" }
    }

    /// Every valid combination of colour type, bit depth and interlacing.
    package static let allKinds: [Kind] = ColorType.allCases.flatMap { type in
        type.depths.flatMap { depth in [false, true].map { Kind(colorType: type, bitDepth: depth, interlaced: $0) } }
    }

    /// A PNG of `kind` whose rows (filter bytes included) are filled from `noise`, repeated as needed.
    package static func png(width: Int, height: Int, kind: Kind, noise: [UInt8] = [0x5A, 0x13, 0xC7, 0x02, 0x99]) -> [UInt8] {
        var raw: [UInt8] = []
        var cursor = 0
        func nextNoise() -> UInt8 {
            defer { cursor += 1 }
            return noise.isEmpty ? 0 : noise[cursor % noise.count] &+ UInt8(truncatingIfNeeded: cursor / noise.count)
        }
        for (passWidth, passHeight) in passSizes(width: width, height: height, interlaced: kind.interlaced) {
            let rowBytes = (passWidth * kind.colorType.channels * kind.bitDepth + 7) / 8
            for _ in 0..<passHeight {
                raw.append(nextNoise() % 5)
                for _ in 0..<rowBytes { raw.append(nextNoise()) }
            }
        }
        var ihdr = be32(width) + be32(height)
        ihdr += [UInt8(kind.bitDepth), kind.colorType.rawValue, 0, 0, kind.interlaced ? 1 : 0]
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", ihdr)
        if kind.colorType == .palette {
            let entries = 1 << kind.bitDepth
            file += chunk("PLTE", (0..<entries * 3).map { UInt8(truncatingIfNeeded: $0 * 37) })
            file += chunk("tRNS", (0..<entries).map { UInt8(truncatingIfNeeded: 255 - $0) })
        }
        file += chunk("IDAT", zlibStored(raw))
        file += chunk("IEND", [])
        return file
    }

    /// A 16-bit RGBA picture: the kind that once overflowed wsimg's decode buffer.
    package static func png16(width: Int, height: Int) -> [UInt8] {
        png(width: width, height: height, kind: Kind(colorType: .rgba, bitDepth: 16, interlaced: false))
    }

    /// The sizes of the image's passes: one, or Adam7's seven (empty ones left out).
    static func passSizes(width: Int, height: Int, interlaced: Bool) -> [(Int, Int)] {
        guard interlaced else { return [(width, height)] }
        let adam7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        return adam7.compactMap { x0, y0, dx, dy in
            let w = (width - x0 + dx - 1) / dx
            let h = (height - y0 + dy - 1) / dy
            return w > 0 && h > 0 ? (w, h) : nil
        }
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] { CRC32.pngChunk(type, data) }

    /// A zlib stream of stored (uncompressed) deflate blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let final: UInt8 = offset + length == data.count ? 1 : 0
            out += [final, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset..<offset + length]
            offset += length
        } while offset < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + be32(Int(b << 16 | a))
    }

    static func be32(_ value: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}
