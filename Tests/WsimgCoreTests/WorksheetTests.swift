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

@Suite struct WorksheetTests {
    func worksheet(_ text: String) throws -> Worksheet { try Worksheet(source: Array(text.utf8)) }

    @Test func findsImagePlaceholdersWithWebAppIDs() throws {
        let sheet = try worksheet(
            """
            {"pages": [
              {"elements": [{"type": "title", "properties": {"text": "x"}},
                            {"type": "image-placeholder", "properties": {"imagePrompt": "cat", "caption": "Cat", "width": 400, "height": 300}}]},
              {"elements": [{"type": "image-placeholder", "properties": {"imagePrompt": "dog"}}]},
              {"noElements": true}
            ]}
            """)
        #expect(sheet.placeholders.map(\.id) == ["0-1", "1-0"])
        #expect(sheet.placeholders[0].caption == "Cat")
        #expect(sheet.placeholders[0].width == 400 && sheet.placeholders[0].height == 300)
        #expect(sheet.placeholders[1].width == 512 && sheet.placeholders[1].height == 512)
        #expect(sheet.placeholders.allSatisfy { $0.problem == nil })
    }

    /// As the web app's route does: an empty, null or missing prompt asks for no picture.
    @Test(arguments: [
        (#""caption": "no prompt""#, "no imagePrompt"), (#""imagePrompt": null"#, "no imagePrompt"),
        (#""imagePrompt": """#, "imagePrompt is empty"), (#""imagePrompt": "   ""#, "imagePrompt is empty"),
    ])
    func skipsPlaceholdersWithoutAPrompt(properties: String, reason: String) throws {
        let sheet = try worksheet(#"{"pages":[{"elements":[{"type":"image-placeholder","properties":{\#(properties)}}]}]}"#)
        #expect(sheet.placeholders.first?.skipReason == reason)
        #expect(sheet.placeholders.first?.problem == nil)
    }

    /// The web app's generator answers with the worksheet inside an envelope.
    @Test func readsTheGeneratorsEnvelope() throws {
        let sheet = try worksheet(#"{"success":true,"data":{"worksheet":{"title":"t","pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"cat"}}]}]}}}"#)
        #expect(sheet.placeholders.map(\.prompt) == ["cat"])
    }

    @Test(arguments: [
        (#""imagePrompt": 42"#, "imagePrompt is a number, not text"),
        (#""imagePrompt": "ok", "width": "400""#, "width is a string, not a number"),
        (#""imagePrompt": "ok", "height": -5"#, "height must not be negative"),
        (#""imagePrompt": "ok", "width": 1e9"#, "width is too large (1000000000)"),
        // Found by the fuzzer: converting this to Int used to crash.
        (#""imagePrompt": "ok", "height": 1e300"#, "height is too large (1e+300)"),
    ])
    func reportsElementProblems(properties: String, problem: String) throws {
        let sheet = try worksheet(#"{"pages":[{"elements":[{"type":"image-placeholder","properties":{\#(properties)}}]}]}"#)
        #expect(sheet.placeholders.first?.problem == problem)
    }

    @Test func zeroOrNullSizeMeansDefaultAsInTheWebApp() throws {
        let sheet = try worksheet(#"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"a","width":0,"height":null}}]}]}"#)
        #expect(sheet.placeholders.first?.width == 512)
        #expect(sheet.placeholders.first?.height == 512)
        #expect(sheet.placeholders.first?.problem == nil)
    }

    @Test(arguments: [
        ("[1, 2]", WorksheetError.notAWorksheet("the top level is an array, not an object")),
        (#"{"title": "x"}"#, WorksheetError.notAWorksheet("it has no \"pages\" array")),
        (#"{"pages": {}}"#, WorksheetError.notAWorksheet("\"pages\" is an object, not an array")),
    ])
    func rejectsNonWorksheets(text: String, expected: WorksheetError) {
        #expect(throws: expected) { try worksheet(text) }
    }

    @Test func reportsSyntaxErrorsWithPosition() {
        do {
            _ = try worksheet("{\n \"pages\": [,]\n}")
            Issue.record("expected an error")
        } catch let error as WorksheetError {
            guard case .notJSON(let syntax) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(syntax.line == 2 && syntax.column == 12)
            #expect(error.description.contains("line 2, column 12"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
