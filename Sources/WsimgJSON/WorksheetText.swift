import WsimgBasics

/// A string of the worksheet that wsimg reads (an element's `url`): a short one whole, a long one
/// (a `data:` URL of megabytes) as its first characters and its place in the file.
package struct WorksheetText: Sendable, Equatable {
    package let scanned: ScannedString
    /// The JSON string in the worksheet, quotes included.
    package let range: Range<Int>

    package init(_ scanned: ScannedString, range: Range<Int>) {
        self.scanned = scanned
        self.range = range
    }

    /// The whole text, when it is short enough to have been kept.
    package var text: String? { scanned.text }
    /// Its first characters (at least the first 200 of a long one).
    package var head: String { scanned.head }
    package var isEmpty: Bool { scanned.length == 0 }
    package var isLong: Bool { scanned.text == nil }

    package func hasPrefix(_ prefix: String) -> Bool { head.hasPrefix(prefix) }

    /// Same text, wherever it is in the file.
    package static func == (a: WorksheetText, b: WorksheetText) -> Bool { a.scanned == b.scanned }
}
