import WsimgBasics

/// How every command names an image element: by its id, by a unique end of its id (four characters or
/// more), by its position (`1-2`, as the web app's generator counts), or by `#N`, the Nth image element
/// of the worksheet in document order, counting every one (with or without a prompt). A name that could
/// mean two elements is refused with both listed, never resolved silently.
package enum ElementHandle {
    package enum Resolution: Equatable {
        case element(Placeholder)
        case none
        /// The name fits several elements (a position that is also part of another element's id, an
        /// end that two ids share).
        case ambiguous([Placeholder])
    }

    /// The shortest end of an id that names an element.
    package static let shortestSuffix = 4

    /// `placeholders`: every image element of the worksheet, in document order.
    package static func resolve(_ name: String, in placeholders: [Placeholder]) -> Resolution {
        if name.hasPrefix("#"), let number = Int(name.dropFirst()) {
            return number >= 1 && number <= placeholders.count ? .element(placeholders[number - 1]) : .none
        }
        func distinct(_ found: [Placeholder]) -> [Placeholder] {
            found.reduce(into: [Placeholder]()) { list, element in if !list.contains(where: { $0.position == element.position }) { list.append(element) } }
        }
        let byID = placeholders.filter { $0.id == name }
        let byPosition = placeholders.filter { $0.position == name }
        var found: [Placeholder]
        if !byID.isEmpty || !byPosition.isEmpty {
            // A position is also read as part of an id: after an insert, `1-2` may be one element's
            // position and the position another's id was made at (`element-1-2-…`).
            let partOfAnID = byID.isEmpty ? placeholders.filter { $0.elementID.flatMap(positionInID) == name } : []
            found = distinct(byID + byPosition + partOfAnID)
        } else if name.count >= shortestSuffix {
            found = distinct(placeholders.filter { $0.id.hasSuffix(name) })
        } else {
            found = []
        }
        switch found.count {
        case 0: return .none
        case 1: return .element(found[0])
        default: return .ambiguous(found)
        }
    }

    /// The element's `#N` among `placeholders` (every image element, in document order).
    package static func number(of element: Placeholder, in placeholders: [Placeholder]) -> Int {
        (placeholders.firstIndex { $0.position == element.position } ?? 0) + 1
    }

    /// The position the web app's generator made an id at: `element-<page>-<index>-<ms>-<random>`.
    package static func positionInID(_ id: String) -> String? {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "element", !parts[1].isEmpty, !parts[2].isEmpty,
            parts[1].allSatisfy(\.isASCIIDigitCharacter), parts[2].allSatisfy(\.isASCIIDigitCharacter)
        else { return nil }
        return "\(parts[1])-\(parts[2])"
    }

    /// The element `name` names, for `what` (`--redo`, `pick`, …); a usage error that says why not.
    /// `allowed`: whether the command can act on that element (one with a prompt, say).
    package static func element(
        _ name: String, in placeholders: [Placeholder], for what: String, allowed: (Placeholder) -> Bool = { _ in true }
    ) throws(UsageError) -> Placeholder {
        func label(_ element: Placeholder) -> String { "#\(number(of: element, in: placeholders)) \(TerminalText.safe(element.id))" }
        switch resolve(name, in: placeholders) {
        case .element(let element) where allowed(element):
            return element
        case .element(let element):
            throw UsageError("\(what) \(TerminalText.safe(name)): \(label(element)) asks for no picture")
        case .ambiguous(let elements):
            throw UsageError(
                "\(what) \(TerminalText.safe(name)) could name \(elements.count) elements: \(elements.prefix(6).map(label).joined(separator: ", ")); give the whole id or #N")
        case .none:
            let known = placeholders.filter(allowed)
            throw UsageError(
                "\(what) \(TerminalText.safe(name)): no image element with that id"
                    + (known.isEmpty ? "" : " (ids: \(known.prefix(12).map(label).joined(separator: ", "))\(known.count > 12 ? ", …" : "")); `wsimg prompts` lists them"))
        }
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
