import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// The web app's server appends a style suffix to every prompt; wsimg does the same so pictures match.
package enum PromptEnhancer {
    package static let styleMarkers = ["educational content", "child-friendly", "safe for children", "bright and engaging"]
    package static let fullSuffix = ", educational content, child-friendly, professional digital art, vibrant colors"
    package static let artSuffix = ", professional digital art, vibrant colors"

    package static func enhance(_ prompt: String) -> String {
        let lowered = prompt.lowercased()
        let alreadyStyled = styleMarkers.contains { lowered.contains($0) }
        return prompt + (alreadyStyled ? artSuffix : fullSuffix)
    }
}
