import Foundation
import WsimgBasics
import WsimgJSON

/// A worksheet: where its bytes are, the image placeholders found in them, and a hash of them. It is
/// read in chunks and never held whole, so a worksheet with hundreds of megabytes of embedded
/// pictures costs a scan, not its size in memory.
package struct Worksheet: Sendable {
    package let source: WorksheetSource
    package let placeholders: [Placeholder]
    /// XXH64 of the bytes as scanned: writing from `source` checks they are still the same, so an
    /// edit made during the run is noticed (mtime alone misses one in the same tick, and raises a false
    /// alarm on a mere touch).
    package let contentHash: UInt64
    /// How many elements of each `type` the worksheet has.
    package let elementTypes: [String: Int]

    /// A worksheet from bytes in memory, scanned `chunkSize` bytes at a time.
    package init(source bytes: [UInt8], chunkSize: Int = WorksheetSource.chunkSize) throws(WorksheetError) {
        source = WorksheetSource(bytes: bytes, chunkSize: chunkSize)
        (placeholders, contentHash, elementTypes) = try Self.scan(source, shownAs: "-")
    }

    /// Reads the worksheet at `path` (only a regular file: a FIFO or device is refused, not read).
    /// `shownAs` is how errors name it (the path as the user wrote it).
    package init(contentsOf path: String, shownAs: String) throws(WorksheetError) {
        source = WorksheetSource(path: path)
        (placeholders, contentHash, elementTypes) = try Self.scan(source, shownAs: shownAs)
    }

    /// Copies standard input into a private temporary file (unlinked at once), then scans that.
    package static func fromStandardInput() throws(WorksheetError) -> Worksheet {
        guard let spool = WorksheetSource.spooling(STDIN_FILENO) else {
            throw .unreadable(path: "-", reason: String(cString: strerror(errno)))
        }
        return try Worksheet(spooled: spool)
    }

    private init(spooled: WorksheetSource) throws(WorksheetError) {
        source = spooled
        (placeholders, contentHash, elementTypes) = try Self.scan(spooled, shownAs: "-")
    }

    private static func scan(_ source: WorksheetSource, shownAs: String) throws(WorksheetError) -> ([Placeholder], UInt64, [String: Int]) {
        var scanner = JSONScanner()
        var events = WorksheetScan()
        var hash = XXHash64()
        let failure: String?
        do {
            failure = try source.forEachChunk { (chunk) throws(JSONSyntaxError) in
                hash.update(chunk)
                try scanner.feed(chunk, into: &events)
            }
            if failure == nil { try scanner.finish(into: &events) }
        } catch {
            throw .notJSON(error)
        }
        if let failure { throw .unreadable(path: shownAs, reason: failure) }
        switch events.result() {
        case .success(let placeholders): return (identify(placeholders), hash.finish(), events.elementTypes)
        case .failure(let error): throw error
        }
    }
}

/// One `image-placeholder` element that asks for a picture.
extension Worksheet {
    /// Names each element by its own `id` when all of them have one that is unique and fit for a
    /// file name (letters, digits, `-`, `_`, `.`, at most 100 characters, not starting with `.`);
    /// otherwise every element is named by its position, as before.
    package static func identify(_ placeholders: [Placeholder]) -> [Placeholder] {
        let ids = placeholders.compactMap(\.elementID)
        guard !ids.isEmpty, ids.count == placeholders.count, Set(ids).count == ids.count, ids.allSatisfy(isFitForAFileName) else {
            return placeholders
        }
        return placeholders.map { placeholder in
            var named = placeholder
            named.id = placeholder.elementID ?? placeholder.position
            return named
        }
    }

    package static func isFitForAFileName(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 100 && !id.hasPrefix(".") && !id.hasPrefix("-")
            && id.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
    }
}

package struct Placeholder: Sendable, Equatable {
    package static let defaultSide = 512

    /// What names the element's pictures and what `--redo`, the report and the listings call it: its
    /// own `id` when every image element of the worksheet has one of its own (the web app's saved
    /// form), else its position (see `Worksheet.identify`). Pictures are recognised by their key,
    /// never by this name, so inserting or moving elements never keeps a stale one.
    package fileprivate(set) var id: String
    /// `"<pageIndex>-<elementIndex>"`, as the web app's generator names it.
    package let position: String
    /// The element's own `id` in the worksheet, if it has a string one.
    package let elementID: String?
    package let prompt: String
    package let caption: String?
    /// The size the worksheet asks for, before the generator's size rules.
    package let width: Int
    package let height: Int
    package let url: WorksheetText?
    /// Why this element cannot be generated, if it cannot; it then fails on its own.
    package let problem: String?
    /// Why this element asks for no picture (an empty, null or missing `imagePrompt`), as the web app's
    /// route skips it: neither generated nor failed.
    package let skipReason: String?
    /// The one rule for whether an element needs a picture, for `generate` and `validate` alike.
    package var asksForPicture: Bool { skipReason == nil }
    /// Where its properties object is in the worksheet, to set its `url`.
    package let properties: PropertiesDraft

    /// The texts wsimg reads (`caption`, `imagePrompt`) that hold half an emoji — a lone surrogate
    /// escape, as the web app leaves when it cuts a text — and so read a U+FFFD there.
    package var brokenTexts: [String] {
        ["caption", "imagePrompt"].filter { name in
            if case .scalar(.string(let text?))? = properties[name] { return text.hasLoneSurrogate }
            return false
        }
    }

    package init(_ properties: PropertiesDraft, position: String, elementID: String? = nil) {
        self.id = position
        self.position = position
        self.elementID = elementID
        self.properties = properties
        if case .scalar(.string(let text?))? = properties["caption"] { caption = text.text ?? text.head } else { caption = nil }
        if case .scalar(.string(let text?))? = properties["url"], let range = properties.values["url"]?.range {
            url = WorksheetText(text, range: range)
        } else {
            url = nil
        }
        var problems: [String] = []
        var skip: String?
        switch properties["imagePrompt"] {
        case .scalar(.string(let text?))?:
            if let whole = text.text, !whole.trimmingWhitespace().isEmpty {
                prompt = whole
            } else if text.text == nil {
                prompt = ""
                problems.append("imagePrompt is longer than \(JSONScanner.textLimit >> 10) KiB")
            } else {
                prompt = ""
                skip = "imagePrompt is empty"
            }
        case nil, .scalar(.null)?:
            prompt = ""
            skip = "no imagePrompt"
        case let other?:
            prompt = ""
            problems.append("imagePrompt is \(other.typeName), not text")
        }
        skipReason = skip
        let width = Self.side(properties["width"], name: "width")
        let height = Self.side(properties["height"], name: "height")
        self.width = width.value
        self.height = height.value
        problems += [width.problem, height.problem].compactMap { $0 }
        problem = problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// Missing, null or 0 mean the default, as `width || 512` does in the web app.
    private static func side(_ value: PropertiesDraft.Value?, name: String) -> (value: Int, problem: String?) {
        guard let value, value != .scalar(.null) else { return (defaultSide, nil) }
        guard case .scalar(.number(let text)) = value, let number = Double(text) else {
            return (defaultSide, "\(name) is \(value.typeName), not a number")
        }
        guard number.isFinite else { return (defaultSide, "\(name) is too large") }
        guard number >= 0 else { return (defaultSide, "\(name) must not be negative") }
        if number == 0 { return (defaultSide, nil) }
        guard number <= 1_000_000 else { return (defaultSide, "\(name) is too large (\(NumberText.plain(number)))") }
        return (Int(number.rounded()), nil)
    }
}
