import Testing

@testable import WsimgBasics
@testable import WsimgCLI
@testable import WsimgGeneration
@testable import WsimgImages
@testable import WsimgJSON
@testable import WsimgLibrary
@testable import WsimgNetwork
@testable import WsimgRun
@testable import WsimgWorksheet

@Suite struct PlaceholderLabelTests {
    /// A placeholder picture says what it stands for: a dark band with white glyphs across its middle,
    /// the rest of the picture untouched.
    @Test func placeholderPicturesCarryTheirIDAndSize() {
        let request = ImageRequest(id: "1-2", caption: nil, prompt: "x", promptToSend: "x", width: 256, height: 256, seed: 1)
        let labelled = PlaceholderProvider.drawLabelled(request)
        let plain = PlaceholderProvider.draw(prompt: "x", width: 256, height: 256)
        #expect(labelled[0..<3] == plain[0..<3])
        // The band across the middle: two lines (id, size) with a gap between them.
        let middle = stride(from: 118 * 256 * 3, to: 138 * 256 * 3, by: 3).map { labelled[$0] }
        let shades = Set(middle)
        #expect(shades.contains(32) && shades.contains(255))
    }

    @Test func everyCharacterOfALabelHasAGlyph() {
        for character in "0123456789-x abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.:#/?~" {
            #expect(PlaceholderLabel.glyphs[character]?.count == 7, "\(character)")
        }
    }

    /// Review 3, item 16: the web app's ids are drawn whole (lower-case letters were dropped), cut into
    /// lines where the picture is too narrow; a character the font lacks shows as `?`, not nothing.
    @Test(arguments: [256, 512, 1024])
    func aWebAppIDIsDrawnWhole(width: Int) {
        let id = "element-0-1-1763629200000-p0q7w1z"
        var pixels = [UInt8](repeating: 0, count: width * 256 * 3)
        let drawn = PlaceholderLabel.draw([id, "\(width)x256"], on: &pixels, width: width, height: 256)
        #expect(String(drawn.flatMap { $0 }) == id + "\(width)x256")
        #expect(drawn.allSatisfy { $0.count * 6 - 1 <= width })
        #expect(PlaceholderLabel.lines(["кіт"], columns: 10) == [["?", "?", "?"]])
    }
}
