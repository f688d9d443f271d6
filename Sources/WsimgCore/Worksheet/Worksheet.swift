/// A worksheet file: its bytes, its parsed tree and the image placeholders found in it.
public struct Worksheet: Sendable {
    public let source: [UInt8]
    public let root: JSONNode
    public let placeholders: [Placeholder]

    public init(source: [UInt8]) throws(WorksheetError) {
        let root: JSONNode
        do {
            root = try JSONParser.parse(source)
        } catch {
            throw .notJSON(error)
        }
        guard root.isObject else { throw .notAWorksheet("the top level is \(root.typeName), not an object") }
        // The web app's generator answers {"success":…, "data":{"worksheet":{…}}}: the worksheet inside it.
        let sheet = root["pages"] == nil ? root["data"]?["worksheet"] ?? root : root
        guard let pages = sheet["pages"] else { throw .notAWorksheet("it has no \"pages\" array") }
        guard let pageList = pages.arrayValue else { throw .notAWorksheet("\"pages\" is \(pages.typeName), not an array") }
        self.source = source
        self.root = root
        self.placeholders = Self.findPlaceholders(in: pageList)
    }

    private static func findPlaceholders(in pages: [JSONNode]) -> [Placeholder] {
        var found: [Placeholder] = []
        for (pageIndex, page) in pages.enumerated() {
            guard let elements = page["elements"]?.arrayValue else { continue }
            for (elementIndex, element) in elements.enumerated() where element["type"]?.stringValue == "image-placeholder" {
                if let placeholder = Placeholder(element: element, page: pageIndex, index: elementIndex) {
                    found.append(placeholder)
                }
            }
        }
        return found
    }
}

/// One `image-placeholder` element that asks for a picture.
public struct Placeholder: Sendable, Equatable {
    public static let defaultSide = 512

    /// `"<pageIndex>-<elementIndex>"`, as the web app names it.
    public let id: String
    public let properties: JSONNode
    public let prompt: String
    public let caption: String?
    /// The size the worksheet asks for, before the generator's size rules.
    public let width: Int
    public let height: Int
    public let url: String?
    /// Why this element cannot be generated, if it cannot; it then fails on its own.
    public let problem: String?
    /// Why this element asks for no picture (an empty, null or missing `imagePrompt`), as the web app's
    /// route skips it: neither generated nor failed.
    public let skipReason: String?

    /// Returns nil for an element without a properties object (nothing to link a picture from).
    init?(element: JSONNode, page: Int, index: Int) {
        id = "\(page)-\(index)"
        guard let properties = element["properties"], properties.isObject else { return nil }
        self.properties = properties
        caption = properties["caption"]?.stringValue
        url = properties["url"]?.stringValue
        var problems: [String] = []
        var skip: String?
        let promptNode = properties["imagePrompt"]
        switch promptNode?.value {
        case .string(let text) where !text.trimmingWhitespace().isEmpty:
            prompt = text
        case .string:
            prompt = ""
            skip = "imagePrompt is empty"
        case nil, .null?:
            prompt = ""
            skip = "no imagePrompt"
        case _?:
            prompt = ""
            problems.append("imagePrompt is \(promptNode?.typeName ?? ""), not text")
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
    private static func side(_ node: JSONNode?, name: String) -> (value: Int, problem: String?) {
        guard let node, node.value != .null else { return (defaultSide, nil) }
        guard let number = node.numberValue else { return (defaultSide, "\(name) is \(node.typeName), not a number") }
        guard number.isFinite else { return (defaultSide, "\(name) is too large") }
        guard number >= 0 else { return (defaultSide, "\(name) must not be negative") }
        if number == 0 { return (defaultSide, nil) }
        guard number <= 1_000_000 else { return (defaultSide, "\(name) is too large (\(TransportError.format(number)))") }
        return (Int(number.rounded()), nil)
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return Substring(scalars[first...last])
    }
}

extension Worksheet {
    /// Reads the worksheet at `path` (only a regular file: a FIFO or device is refused, not read).
    /// `shownAs` is how errors name it (the path as the user wrote it).
    public init(contentsOf path: String, shownAs: String) throws(WorksheetError) {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path)
        } catch {
            throw .unreadable(path: shownAs, reason: error.description)
        }
        try self.init(source: bytes)
    }
}
