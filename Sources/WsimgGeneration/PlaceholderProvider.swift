import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Draws a deterministic picture for each request: no key, no network. For previewing layouts and
/// for running anywhere.
package struct PlaceholderProvider: SingleImageProvider {
    package init() {}

    package var kind: ProviderKind { .placeholder }

    package func cacheKeyFields(for request: ImageRequest) -> [String] {
        ["placeholder-v2", request.promptToSend, "\(request.width)x\(request.height)"] + (request.redone ? ["redo=\(request.seed)"] : [])
    }

    package func generate(_ request: ImageRequest) async throws(GenerationError) -> ImagePayload {
        let pixels = Self.drawLabelled(request)
        do {
            return .bytes(try PNGEncoder.encodeRGB(pixels, width: request.width, height: request.height))
        } catch {
            throw .badResponse(error.description)
        }
    }

    /// The picture for `request`, with its id and size written on it.
    package static func drawLabelled(_ request: ImageRequest) -> [UInt8] {
        var pixels = draw(prompt: request.promptToSend + (request.redone ? "#\(request.seed)" : ""), width: request.width, height: request.height)
        PlaceholderLabel.draw([request.id, "\(request.width)x\(request.height)"], on: &pixels, width: request.width, height: request.height)
        return pixels
    }

    /// A diagonal gradient between two colours picked by the prompt, with a few soft discs on top.
    package static func draw(prompt: String, width: Int, height: Int) -> [UInt8] {
        var state = StableHash.fnv1a64(["placeholder", prompt])
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let from = (Double(next() % 200 + 40), Double(next() % 200 + 40), Double(next() % 200 + 40))
        let to = (Double(next() % 200 + 40), Double(next() % 200 + 40), Double(next() % 200 + 40))
        let discs = (0..<4).map { _ in
            (
                x: Int(next() % UInt64(width)), y: Int(next() % UInt64(height)),
                r: Int(next() % UInt64(min(width, height) / 4)) + min(width, height) / 10,
                light: next() % 2 == 0
            )
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let span = Double(width + height)
        for y in 0..<height {
            for x in 0..<width {
                let t = Double(x + y) / span
                var r = from.0 + (to.0 - from.0) * t
                var g = from.1 + (to.1 - from.1) * t
                var b = from.2 + (to.2 - from.2) * t
                for disc in discs {
                    let dx = x - disc.x
                    let dy = y - disc.y
                    if dx * dx + dy * dy <= disc.r * disc.r {
                        let shift = disc.light ? 40.0 : -40.0
                        r += shift
                        g += shift
                        b += shift
                    }
                }
                let offset = (y * width + x) * 3
                pixels[offset] = UInt8(max(0, min(255, r)))
                pixels[offset + 1] = UInt8(max(0, min(255, g)))
                pixels[offset + 2] = UInt8(max(0, min(255, b)))
            }
        }
        return pixels
    }
}
