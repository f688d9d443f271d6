import Testing

@testable import WsimgCore

@Suite struct PlaceholderLabelTests {
    /// A placeholder picture says what it stands for: a dark band with white glyphs across its middle,
    /// the rest of the picture untouched.
    @Test func placeholderPicturesCarryTheirIDAndSize() {
        let request = ImageRequest(id: "1-2", caption: nil, prompt: "x", promptToSend: "x", width: 256, height: 256, seed: 1)
        let labelled = PlaceholderProvider.drawLabelled(request)
        let plain = PlaceholderProvider.draw(prompt: "x", width: 256, height: 256)
        #expect(labelled[0..<3] == plain[0..<3])
        let middleRow = stride(from: 128 * 256 * 3, to: 129 * 256 * 3, by: 3).map { labelled[$0] }
        let shades = Set(middleRow)
        #expect(shades.contains(32) && shades.contains(255))
    }

    @Test func everyCharacterOfALabelHasAGlyph() {
        for character in "0123456789-x " { #expect(PlaceholderLabel.glyphs[character]?.count == 7) }
    }
}
