import Testing

@testable import WsimgBasics
@testable import WsimgCLI
@testable import WsimgGeneration
@testable import WsimgImages
@testable import WsimgJSON
@testable import WsimgLibrary
@testable import WsimgNetwork
@testable import WsimgRun
@testable import WsimgWorksheet

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONNode { try JSONParser.parse(Array(text.utf8)) }

    @Test func keepsKeyOrderAndNumberSpelling() throws {
        let root = try parse(#"{"z": 1.50, "a": -0, "m": 1e3, "list": [true, false, null]}"#)
        guard case .object(let members) = root.value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["z", "a", "m", "list"])
        #expect(root["z"]?.value == .number("1.50"))
        #expect(root["a"]?.value == .number("-0"))
        #expect(root["m"]?.value == .number("1e3"))
        #expect(root["list"]?.arrayValue?.map(\.value) == [.bool(true), .bool(false), .null])
    }

    @Test func decodesEscapesAndUnicode() throws {
        let root = try parse(#"{"s": "Кіт \"Мурчик\"\n\u0041\u00e9\ud83d\ude00\/"}"#)
        #expect(root["s"]?.stringValue == "Кіт \"Мурчик\"\nAé😀/")
    }

    @Test func recordsSourceRanges() throws {
        let text = #"{"a": {"b": "x"}}"#
        let root = try parse(text)
        let inner = try #require(root["a"])
        #expect(String(decoding: Array(text.utf8)[inner.range], as: UTF8.self) == #"{"b": "x"}"#)
    }

    @Test func skipsByteOrderMark() throws {
        let root = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8))
        #expect(root.arrayValue?.count == 1)
    }

    @Test(arguments: [
        ("{\"a\": }", 1, 7),
        ("{\n  \"a\": 1,\n  \"b\" 2\n}", 3, 7),
        ("[1, 2", 1, 6),
        ("", 1, 1),
        ("{\"a\": 01}", 1, 8),
        ("{\"a\": \"x\ny\"}", 1, 9),
        ("{\"a\": tru}", 1, 7),
        ("[1] [2]", 1, 5),
        ("{\"кіт\": ?}", 1, 9),
    ])
    func reportsLineAndColumn(text: String, line: Int, column: Int) {
        #expect(throws: JSONSyntaxError.self) { try parse(text) }
        do {
            _ = try parse(text)
        } catch let error as JSONSyntaxError {
            #expect(error.line == line)
            #expect(error.column == column)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func boundsNestingDepth() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONSyntaxError.self) { try parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try parse(fine) }
    }

    /// RFC 8259 §8.2 allows a lone surrogate escape, and `JSON.parse` reads it: as U+FFFD here.
    @Test func readsLoneSurrogatesAsReplacementCharacters() throws {
        #expect(try parse(#"["\ud83d"]"#).arrayValue?.first?.stringValue == "\u{FFFD}")
        #expect(try parse(#"["a\ud83eb"]"#).arrayValue?.first?.stringValue == "a\u{FFFD}b")
        #expect(try parse(#"["\udc00\ud83d\ude00"]"#).arrayValue?.first?.stringValue == "\u{FFFD}😀")
        #expect(try parse(#"["\ud83d\n"]"#).arrayValue?.first?.stringValue == "\u{FFFD}\n")
        #expect(try parse(#"["\ud83d\ud83d\ude00"]"#).arrayValue?.first?.stringValue == "\u{FFFD}😀")
    }

    @Test func rejectsBadEscapes() {
        #expect(throws: JSONSyntaxError.self) { try parse(#"["\x"]"#) }
        #expect(throws: JSONSyntaxError.self) { try parse(#"["\u12"]"#) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }
}

@Suite struct JSONWriterTests {
    @Test(arguments: [
        ("plain", "\"plain\""),
        ("quote \" and \\ backslash", #""quote \" and \\ backslash""#),
        ("line\nbreak\ttab", #""line\nbreak\ttab""#),
        ("\u{01}", #""\u0001""#),
        ("Сова 🦉", "\"Сова 🦉\""),
        ("data:image/png;base64,iVBORw0KGgo+/=", "\"data:image/png;base64,iVBORw0KGgo+/=\""),
        ("ascii \u{7F} del", "\"ascii \u{7F} del\""),
        ("tail quote\"", #""tail quote\"""#),
        ("\u{1F}", #""\u001f""#),
    ])
    func quotesStrings(text: String, expected: String) throws {
        #expect(JSONWriter.quoted(text) == expected)
        #expect(try JSONParser.parse(Array(expected.utf8)).stringValue == text)
    }
}
