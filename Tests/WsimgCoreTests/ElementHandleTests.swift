import Testing

@testable import WsimgBasics
@testable import WsimgWorksheet

/// One handle everywhere (issue 26, item 4): `#N` counts every image element, a unique end of an id
/// names it, and a name that fits two elements is refused, never resolved silently.
@Suite struct ElementHandleTests {
    static func sheet(_ elements: [(id: String?, prompt: String)]) throws -> [Placeholder] {
        let items = elements.map { element in
            let id = element.id.map { #""id":"\#($0)","# } ?? ""
            return #"{\#(id)"type":"image-placeholder","properties":{"imagePrompt":"\#(element.prompt)","width":256,"height":256}}"#
        }
        return try Worksheet(source: Array(#"{"pages":[{"elements":[\#(items.joined(separator: ","))]}]}"#.utf8)).placeholders
    }

    @Test func numbersCountEveryImageElement() throws {
        let elements = try Self.sheet([("element-0-0-1-aaaa111", "cat"), ("element-0-1-1-bbbb222", ""), ("element-0-2-1-cccc333", "owl")])
        #expect(ElementHandle.resolve("#3", in: elements) == .element(elements[2]))
        #expect(ElementHandle.resolve("#4", in: elements) == .none)
        #expect(throws: UsageError.self) { try ElementHandle.element("#2", in: elements, for: "pick", allowed: { !$0.prompt.isEmpty }) }
        #expect(try ElementHandle.element("#3", in: elements, for: "pick", allowed: { !$0.prompt.isEmpty }).id == "element-0-2-1-cccc333")
    }

    @Test func aUniqueEndOfAnIDNamesItsElement() throws {
        let elements = try Self.sheet([("element-0-0-1-k3j9x2a", "cat"), ("element-0-1-1-p0q7w1z", "owl"), ("element-0-2-1-zzq7w1z", "fox")])
        #expect(ElementHandle.resolve("k3j9x2a", in: elements) == .element(elements[0]))
        #expect(ElementHandle.resolve("x2a", in: elements) == .none)
        #expect(ElementHandle.resolve("q7w1z", in: elements) == .ambiguous([elements[1], elements[2]]))
    }

    /// After an insert, `0-1` is one element's position and part of another's id.
    @Test func aPositionThatIsAlsoPartOfAnotherIDIsRefused() throws {
        let elements = try Self.sheet([("element-0-0-1-aaaa111", "cat"), ("element-0-9-1-new0000", "new"), ("element-0-1-1-bbbb222", "owl")])
        guard case .ambiguous(let both) = ElementHandle.resolve("0-1", in: elements) else {
            Issue.record("0-1 was resolved")
            return
        }
        #expect(Set(both.map(\.id)) == ["element-0-9-1-new0000", "element-0-1-1-bbbb222"])
        do {
            _ = try ElementHandle.element("0-1", in: elements, for: "--redo")
            Issue.record("0-1 was resolved")
        } catch {
            #expect(error.message.contains("could name 2 elements: #2 element-0-9-1-new0000, #3 element-0-1-1-bbbb222"), "\(error.message)")
        }
        // The whole id, or #N, still names either.
        #expect(ElementHandle.resolve("element-0-1-1-bbbb222", in: elements) == .element(elements[2]))
    }

    /// Id-less worksheets name elements by position, as always.
    @Test func positionsOfIDLessElements() throws {
        let elements = try Self.sheet([(nil, "cat"), (nil, "owl")])
        #expect(ElementHandle.resolve("0-1", in: elements) == .element(elements[1]))
    }
}
