import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// FLUX wants sides that are multiples of 16; the web app's server rounds and clamps the same way.
package enum SizeRules {
    package static let minimumSide = 256
    package static let maximumSide = 2048

    package static func normalise(_ side: Int) -> Int {
        let rounded = ((side + 8) / 16) * 16  // Math.round(side / 16) * 16 for non-negative sides
        return min(maximumSide, max(minimumSide, rounded))
    }
}
