/// Draws what a placeholder picture stands for (`0-2  400x304`) onto it, with a tiny built-in 5×7
/// bitmap font, so a layout preview made without a key is readable.
enum PlaceholderLabel {
    /// Rows of 5 bits, top to bottom, for the characters a label uses.
    static let glyphs: [Character: [UInt8]] = [
        "0": [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], "1": [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        "2": [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], "3": [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        "4": [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], "5": [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        "6": [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], "7": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        "8": [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], "9": [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        "-": [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00], "x": [0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11],
        " ": [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    ]

    /// Draws `text` centred on RGB `pixels` (`width`×`height`): white on a dark band, as large as fits.
    static func draw(_ text: String, on pixels: inout [UInt8], width: Int, height: Int) {
        let characters = text.filter { glyphs[$0] != nil }
        guard !characters.isEmpty else { return }
        let columns = characters.count * 6 - 1
        let scale = max(1, min(width * 8 / 10 / columns, height / 4 / 7))
        let textWidth = columns * scale
        let textHeight = 7 * scale
        let left = (width - textWidth) / 2
        let top = (height - textHeight) / 2
        func set(_ x: Int, _ y: Int, _ value: UInt8) {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            let offset = (y * width + x) * 3
            pixels[offset] = value
            pixels[offset + 1] = value
            pixels[offset + 2] = value
        }
        let margin = scale * 2
        for y in (top - margin)..<(top + textHeight + margin) {
            for x in (left - margin)..<(left + textWidth + margin) { set(x, y, 32) }
        }
        for (index, character) in characters.enumerated() {
            let rows = glyphs[character]!
            for (row, bits) in rows.enumerated() {
                for column in 0..<5 where bits & (0x10 >> column) != 0 {
                    for dy in 0..<scale {
                        for dx in 0..<scale { set(left + (index * 6 + column) * scale + dx, top + row * scale + dy, 255) }
                    }
                }
            }
        }
    }
}
