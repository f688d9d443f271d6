import WsimgBasics
import WsimgJSON

/// Finds a worksheet's image placeholders as a `JSONScanner` passes over it: it follows only the
/// paths `pages[].elements[].properties` (and the generator's `data.worksheet` envelope), keeps the
/// few values wsimg needs, and records where each properties object is so its `url` can be set later.
/// A key given twice counts once, the last time, as `JSON.parse` does.
package struct WorksheetScan: JSONScanEvents {
    package enum Role {
        case root, data, envelope, other
        case pages(envelope: Bool)
        case page, elements, element, properties
    }

    private struct Frame {
        package var role: Role
        package var key: String?
        package let isObject: Bool
        package var items = 0
        package let start: Int
    }

    package enum Pages {
        case notArray(String)
        case found([Placeholder])
    }

    package private(set) var rootType: String?
    /// How many elements of each `type` the pages hold (for a worksheet with no image elements).
    package private(set) var elementTypes: [String: Int] = [:]
    package private(set) var rootPages: Pages?
    package private(set) var envelopePages: Pages?
    package private(set) var envelopeSeen = false

    private var frames: [Frame] = []
    private var pagesSoFar: [Placeholder] = []
    private var pageIndex = 0
    private var pagePlaceholders: [Placeholder] = []
    private var elementsSoFar: [Placeholder] = []
    private var elementIndex = 0
    private var elementType: String?
    /// The element's own `id` (the web app's `element-<page>-<index>-<ms>-<random>`), when a string.
    private var elementID: String?
    private var elementProperties: PropertiesDraft?
    private var properties = PropertiesDraft(open: 0)
    /// Where the value of the properties member being read began.
    private var memberStart = 0

    package static let wantedProperties: Set<String> = ["imagePrompt", "caption", "width", "height", "url"]

    /// The placeholders of the worksheet, or why it is not one.
    package func result() -> Result<[Placeholder], WorksheetError> {
        guard let rootType, rootType == "an object" else {
            return .failure(.notAWorksheet("the top level is \(rootType ?? "empty"), not an object"))
        }
        switch rootPages ?? (envelopeSeen ? envelopePages : nil) {
        case nil: return .failure(.notAWorksheet("it has no \"pages\" array"))
        case .notArray(let type)?: return .failure(.notAWorksheet("\"pages\" is \(type), not an array"))
        case .found(let placeholders)?: return .success(placeholders)
        }
    }

    package mutating func beginContainer(isObject: Bool, at offset: Int) {
        let role = valueBegins(type: isObject ? "an object" : "an array", isObject: isObject, isArray: !isObject, at: offset)
        switch role {
        case .pages: pagesSoFar = []
        case .page: pagePlaceholders = []
        case .elements: elementsSoFar = []
        case .element: (elementType, elementProperties, elementID) = (nil, nil, nil)
        case .properties: properties = PropertiesDraft(open: offset)
        default: break
        }
        frames.append(Frame(role: role, isObject: isObject, start: offset))
    }

    package mutating func endContainer(at end: Int) {
        let frame = frames.removeLast()
        switch frame.role {
        case .pages(let envelope):
            if envelope { envelopePages = .found(pagesSoFar) } else { rootPages = .found(pagesSoFar) }
        case .page: pagesSoFar += pagePlaceholders
        case .elements: pagePlaceholders = elementsSoFar
        case .element:
            elementTypes[elementType.map { String($0.prefix(60)) } ?? "(no type)", default: 0] += 1
            if elementType == "image-placeholder", let draft = elementProperties {
                elementsSoFar.append(Placeholder(draft, position: "\(pageIndex)-\(elementIndex)", elementID: elementID))
            }
        case .properties:
            properties.close = end - 1
            elementProperties = properties
        default: break
        }
        if case .properties? = frames.last?.role {
            properties.member(frames[frames.count - 1].key, value: .container(isObject: frame.isObject), range: frame.start..<end)
        }
    }

    package mutating func key(_ name: String?, range: Range<Int>) {
        frames[frames.count - 1].key = name
        if case .properties? = frames.last?.role { properties.memberKey(range) }
    }

    package mutating func wantsNextValue() -> Bool {
        guard let frame = frames.last, let key = frame.key else { return false }
        switch frame.role {
        case .element: return key == "type" || key == "id"
        case .properties: return Self.wantedProperties.contains(key)
        default: return false
        }
    }

    package mutating func scalar(_ value: ScannedScalar, range: Range<Int>) {
        _ = valueBegins(type: value.typeName, isObject: false, isArray: false, at: range.lowerBound)
        guard let frame = frames.last else { return }
        switch frame.role {
        case .element where frame.key == "type":
            if case .string(let text?) = value { elementType = text.text } else { elementType = nil }
        case .element where frame.key == "id":
            if case .string(let text?) = value { elementID = text.text } else { elementID = nil }
        case .properties:
            properties.member(frame.key, value: .scalar(value), range: range)
        default: break
        }
    }

    /// What a value beginning in the current frame is to the worksheet (and what it resets).
    private mutating func valueBegins(type: String, isObject: Bool, isArray: Bool, at offset: Int) -> Role {
        guard let index = frames.indices.last else {
            rootType = type
            return isObject ? .root : .other
        }
        let frame = frames[index]
        frames[index].items += 1
        switch (frame.role, frame.key) {
        case (.root, "pages"?), (.envelope, "pages"?):
            let envelope = frame.role.isEnvelope
            if !isArray {
                if envelope { envelopePages = .notArray(type) } else { rootPages = .notArray(type) }
            }
            return isArray ? .pages(envelope: envelope) : .other
        case (.root, "data"?):
            (envelopeSeen, envelopePages) = (false, nil)
            return isObject ? .data : .other
        case (.data, "worksheet"?):
            (envelopeSeen, envelopePages) = (true, nil)
            return isObject ? .envelope : .other
        case (.pages, _):
            pageIndex = frame.items
            return isObject ? .page : .other
        case (.page, "elements"?):
            pagePlaceholders = []
            return isArray ? .elements : .other
        case (.elements, _):
            elementIndex = frame.items
            return isObject ? .element : .other
        case (.element, "type"?):
            elementType = nil
            return .other
        case (.element, "id"?):
            elementID = nil
            return .other
        case (.element, "properties"?):
            elementProperties = nil
            return isObject ? .properties : .other
        default:
            return .other
        }
    }
}

extension WorksheetScan.Role {
    fileprivate var isEnvelope: Bool {
        if case .envelope = self { return true }
        return false
    }
}
