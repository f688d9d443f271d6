import WsimgBasics

/// What a `JSONScanner` reports, at absolute byte offsets in the document.
package protocol JSONScanEvents {
    /// An object or array begins with its bracket at `offset`.
    mutating func beginContainer(isObject: Bool, at offset: Int)
    /// The innermost open container ends; `end` is just past its bracket.
    mutating func endContainer(at end: Int)
    /// An object member's key (nil when it is too long to be one wsimg looks for).
    mutating func key(_ name: String?, range: Range<Int>)
    /// Asked as a string or number value begins: whether to hand over its text.
    mutating func wantsNextValue() -> Bool
    mutating func scalar(_ value: ScannedScalar, range: Range<Int>)
}

package enum ScannedScalar: Equatable {
    /// A string's text, or a string nobody asked for (nil).
    case string(ScannedString?)
    /// A number as spelled (empty when nobody asked for it; "1e999", too large, stands for one longer than `JSONScanner.textLimit`).
    case number(String)
    case bool(Bool)
    case null

    package var typeName: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// A string value wsimg asked for: its text when short, else only its first characters. A `data:`
/// URL of megabytes stays in the file; `length` and `digest` (of its bytes as written) still tell
/// whether two are the same.
package struct ScannedString: Sendable, Equatable {
    /// The whole text, when its JSON form is at most `JSONScanner.textLimit` bytes.
    package let text: String?
    /// The text's first characters (all of it when `text` is set).
    package let head: String
    /// Bytes between the quotes, as written.
    package let length: Int
    package let digest: UInt64
    /// It has a `\\u` escape of a lone surrogate (a cut emoji), which its text reads as U+FFFD.
    package var hasLoneSurrogate = false
}
