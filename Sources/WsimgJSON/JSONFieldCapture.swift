import WsimgBasics

/// Keeps the values at a few paths of a JSON document (`data[0].url`, `results[*].image`) as a
/// `JSONScanner` passes over it; everything else is scanned and forgotten, so what an answer carries
/// besides those fields costs no memory however large it is. A key given twice counts once, the last
/// time, as `JSON.parse` does.
package struct JSONFieldCapture: JSONScanEvents {
    package enum Step: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    package enum Pattern: Sendable {
        case key(String)
        case index(Int)
        case anyIndex

        package func matches(_ step: Step) -> Bool {
            switch (self, step) {
            case (.key(let a), .key(let b)): a == b
            case (.index(let a), .index(let b)): a == b
            case (.anyIndex, .index): true
            default: false
            }
        }
    }

    package enum Value: Sendable, Equatable {
        case scalar(ScannedScalar)
        /// An object or array, and how many members or items it has.
        case container(isObject: Bool, count: Int)

        package var typeName: String {
            switch self {
            case .scalar(let scalar): scalar.typeName
            case .container(let isObject, _): isObject ? "an object" : "an array"
            }
        }

        /// A string's whole text, when it was short enough to be kept.
        package var text: String? {
            if case .scalar(.string(let string?)) = self { return string.text }
            return nil
        }
    }

    package struct Field: Sendable, Equatable {
        package let value: Value
        /// Where the value is in the document (a string's with its quotes).
        package let range: Range<Int>
    }

    private struct Frame {
        package let path: [Step]
        package let isObject: Bool
        package var count = 0
        package var key: String?
        package let start: Int
        /// Whether anything below this container can be wanted: when not, its values (a megabyte
        /// array of zeros, say) are only counted.
        package let relevant: Bool
    }

    package let patterns: [[Pattern]]
    package private(set) var fields: [[Step]: Field] = [:]
    private var frames: [Frame] = []

    package init(_ patterns: [[Pattern]]) {
        self.patterns = patterns
    }

    package subscript(_ steps: Step...) -> Field? { fields[steps] }

    /// The value at the root (what the document is), once scanned.
    package var root: Field? { fields[[]] }

    private func wanted(_ path: [Step]) -> Bool {
        path.isEmpty || patterns.contains { $0.count == path.count && zip($0, path).allSatisfy { $0.matches($1) } }
    }

    /// Whether values may be captured below `path`.
    private func holdsWanted(_ path: [Step]) -> Bool {
        patterns.contains { $0.count > path.count && zip($0, path).allSatisfy { $0.matches($1) } }
    }

    /// Whether the value that begins next could be wanted or hold wanted values.
    private var nextIsRelevant: Bool { frames.last?.relevant ?? true }

    /// The path of the value that begins next.
    private func nextPath() -> [Step] {
        guard let frame = frames.last else { return [] }
        // A key too long to be one wsimg looks for matches nothing.
        return frame.path + [frame.isObject ? .key(frame.key ?? "\u{0}") : .index(frame.count)]
    }

    /// A value begins at `path`: a key given again replaces all that was kept of its earlier value.
    private mutating func begins(_ path: [Step]) {
        if let index = frames.indices.last { frames[index].count += 1 }
        guard frames.last?.isObject == true, holdsWanted(path) else { return }
        for captured in fields.keys where captured.count > path.count && Array(captured.prefix(path.count)) == path {
            fields[captured] = nil
        }
    }

    package mutating func beginContainer(isObject: Bool, at offset: Int) {
        guard nextIsRelevant else {
            frames[frames.count - 1].count += 1
            frames.append(Frame(path: [], isObject: isObject, start: offset, relevant: false))
            return
        }
        let path = nextPath()
        begins(path)
        frames.append(Frame(path: path, isObject: isObject, start: offset, relevant: holdsWanted(path)))
    }

    package mutating func endContainer(at end: Int) {
        let frame = frames.removeLast()
        if frame.relevant || frames.last?.relevant ?? true, wanted(frame.path) {
            fields[frame.path] = Field(value: .container(isObject: frame.isObject, count: frame.count), range: frame.start..<end)
        }
    }

    package mutating func key(_ name: String?, range: Range<Int>) {
        frames[frames.count - 1].key = name
    }

    package mutating func wantsNextValue() -> Bool { nextIsRelevant && wanted(nextPath()) }

    package mutating func scalar(_ value: ScannedScalar, range: Range<Int>) {
        guard nextIsRelevant else {
            frames[frames.count - 1].count += 1
            return
        }
        let path = nextPath()
        begins(path)
        if wanted(path) { fields[path] = Field(value: .scalar(value), range: range) }
    }
}

extension JSONFieldCapture {
    /// Scans a whole document in memory.
    package static func scan(_ bytes: [UInt8], _ patterns: [[Pattern]], maxDepth: Int = 32) throws(JSONSyntaxError) -> JSONFieldCapture {
        var scanner = JSONScanner(maxDepth: maxDepth)
        var capture = JSONFieldCapture(patterns)
        var failure: JSONSyntaxError?
        bytes.withUnsafeBytes { all in
            do throws(JSONSyntaxError) {
                try scanner.feed(all, into: &capture)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        try scanner.finish(into: &capture)
        return capture
    }

    /// A string field's whole text: kept when short, else decoded from `document`, where it is.
    package static func text(of field: Field?, in document: [UInt8]) -> String? {
        guard let field, case .scalar(.string(let string?)) = field.value else { return nil }
        if let text = string.text { return text }
        guard field.range.count >= 2, field.range.upperBound <= document.count else { return nil }
        return String(decoding: StringBytes.decodeBytes(Array(document[field.range.lowerBound + 1..<field.range.upperBound - 1])), as: UTF8.self)
    }
}
