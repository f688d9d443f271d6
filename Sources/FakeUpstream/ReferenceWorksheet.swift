import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// The worksheet reader as it was before streaming: the whole document parsed into a tree by
/// `JSONParser`, then walked. Tests and the fuzzer hold the streaming `Worksheet` to it: the same
/// errors, the same placeholders.
package enum ReferenceWorksheet {
    /// What both readers must agree on about one image element.
    package struct Summary: Equatable, CustomStringConvertible {
        package let id: String
        package let prompt: String?
        package let caption: String?
        package let width: String
        package let height: String
        package let url: String?

        package var description: String { "\(id) prompt=\(prompt ?? "-") caption=\(caption ?? "-") \(width)×\(height) url=\(url?.prefix(40) ?? "-")" }

        package init(_ placeholder: Placeholder, source: WorksheetSource) {
            id = placeholder.position
            prompt = placeholder.skipReason == nil ? (placeholder.problem?.hasPrefix("imagePrompt") == true ? nil : placeholder.prompt) : nil
            caption = placeholder.caption.map { String($0.prefix(200)) }
            (width, height) = placeholder.problem == nil ? (String(placeholder.width), String(placeholder.height)) : ("?", "?")
            url = placeholder.url.flatMap { source.string($0) }
        }

        init(id: String, properties: JSONNode) {
            self.id = id
            let text = properties["imagePrompt"]?.stringValue
            prompt = text.map { $0.unicodeScalars.contains { !$0.properties.isWhitespace } } == true ? text : nil
            // A caption longer than the scanner keeps is shown by its beginning.
            caption = properties["caption"]?.stringValue.map { String($0.prefix(200)) }
            url = properties["url"]?.stringValue
            let sides = [properties["width"], properties["height"]].map(Self.side)
            (width, height) =
                sides.contains(nil) || prompt == nil && text == nil && properties["imagePrompt"].map({ $0.value != .null }) == true
                ? ("?", "?") : (sides[0]!, sides[1]!)
        }

        private static func side(_ node: JSONNode?) -> String? {
            guard let node, node.value != .null else { return "512" }
            guard let number = node.numberValue, number.isFinite, number >= 0, number <= 1_000_000 else { return nil }
            return number == 0 ? "512" : String(Int(number.rounded()))
        }
    }

    package enum Outcome: Equatable {
        case placeholders([Summary])
        case error(String)

        /// The same placeholders, or the same error. JSON syntax errors only need to agree that the
        /// text is not JSON: the scanner names the offending byte, where the tree parser sometimes
        /// names where the value began (both give a line and column).
        package func agrees(with other: Outcome) -> Bool {
            if case .error(let mine) = self, case .error(let theirs) = other, mine.hasPrefix(Self.syntax) { return theirs.hasPrefix(Self.syntax) }
            return self == other
        }

        static let syntax = "the worksheet is not valid JSON:"
    }

    /// The placeholders, or the error's text.
    package static func read(_ bytes: [UInt8]) -> Outcome {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            return .error("\(WorksheetError.notJSON(error))")
        }
        guard root.isObject else { return .error("\(WorksheetError.notAWorksheet("the top level is \(root.typeName), not an object"))") }
        let sheet = root["pages"] == nil ? root["data"]?["worksheet"] ?? root : root
        guard let pages = sheet["pages"] else { return .error("\(WorksheetError.notAWorksheet("it has no \"pages\" array"))") }
        guard let pageList = pages.arrayValue else { return .error("\(WorksheetError.notAWorksheet("\"pages\" is \(pages.typeName), not an array"))") }
        var found: [Summary] = []
        for (pageIndex, page) in pageList.enumerated() {
            guard let elements = page["elements"]?.arrayValue else { continue }
            for (elementIndex, element) in elements.enumerated() where element["type"]?.stringValue == "image-placeholder" {
                if let properties = element["properties"], properties.isObject {
                    found.append(Summary(id: "\(pageIndex)-\(elementIndex)", properties: properties))
                }
            }
        }
        return .placeholders(found)
    }

    /// The same through the streaming reader, fed `chunkSize` bytes at a time.
    package static func streamed(_ bytes: [UInt8], chunkSize: Int) -> Outcome {
        do {
            let sheet = try Worksheet(source: bytes, chunkSize: chunkSize)
            return .placeholders(sheet.placeholders.map { Summary($0, source: sheet.source) })
        } catch {
            return .error("\(error)")
        }
    }
}
