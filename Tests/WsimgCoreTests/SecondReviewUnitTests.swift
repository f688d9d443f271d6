import FakeUpstream
import Foundation
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

/// The parsers and policies behind the second hostile review's fixes.
@Suite struct SecondReviewUnitTests {
    func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "wsimg-unit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    // MARK: 5. an editor's save during the copy

    /// An editor saves by renaming a new file over the worksheet: if that happens after the copy
    /// was checked and before the rename, the save must win, not be overwritten.
    @Test func aSaveRenamedOverTheWorksheetDuringTheCopyIsKept() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/w.json"
        let text = #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"a"}}]}]}"#
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        let worksheet = try Worksheet(contentsOf: path, shownAs: "w.json")
        let save = #"{"pages":[],"title":"the teacher's save"}"#
        #expect(throws: OutputError.changedWhileWriting) {
            try WorksheetFile.replace(path, unchanged: { () throws(OutputError) in try WorksheetFile.stillNames(path, worksheet) }) { (fd) throws(OutputError) in
                try WorksheetWriter(worksheet: worksheet, links: ["0-0": .text("x.png")]).write(to: fd, path: path)
                // The editor's save, after the copy passed its hash check.
                _ = FileManager.default.createFile(atPath: folder + "/save.tmp", contents: Data(save.utf8))
                rename(folder + "/save.tmp", path)
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == save)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["w.json"])
        // Untouched, the same write goes through.
        let again = try Worksheet(contentsOf: path, shownAs: "w.json")
        try WorksheetFile.replace(path, unchanged: { () throws(OutputError) in try WorksheetFile.stillNames(path, again) }) { (fd) throws(OutputError) in
            try WorksheetWriter(worksheet: again, links: [:]).write(to: fd, path: path)
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == save)
    }

    @Test func updatingInPlaceLeavesNoBackupAndEveryNameUpdated() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/w.json"
        _ = FileManager.default.createFile(atPath: path, contents: Data("old".utf8))
        #expect(link(path, folder + "/partner.json") == 0)
        try WorksheetFile.replace(path, hardLinks: .update) { (fd) throws(OutputError) in
            if let failure = Array("new text".utf8).withUnsafeBytes({ AtomicFile.writeAll($0, to: fd) }) { throw .cannotWrite(path: path, reason: failure) }
        }
        #expect(try String(contentsOfFile: folder + "/partner.json", encoding: .utf8) == "new text")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["partner.json", "w.json"])
    }

    // MARK: 13. the pace state

    @Test func paceStateIsSanitised() {
        let now = 1_000_000.0
        var state = SharedPace.State(text: "v1\ntat 1e30\ninterval 1e30\npenalty 1e30\nslowdown 5e6\nprobe -4\nupdated \(now)\nstarts 1e30 \(now)\nrefused nan\n")
        state = state.sanitised(now: now)
        #expect(state.interval <= 60)
        #expect(state.tat <= now + SharedPace.State.longestWait)
        #expect(state.penaltyUntil <= now + SharedPace.State.longestWait)
        #expect(state.lastSlowDown <= now && state.lastProbe >= 0)
        #expect(state.starts == [now])
        // Written in the future, or long ago: forgotten.
        #expect(SharedPace.State(text: "v1\ntat \(now + 50)\nupdated \(now + 3600)\n").sanitised(now: now) == SharedPace.State())
        #expect(SharedPace.State(text: "v1\ntat \(now + 50)\nupdated \(now - 3600)\n").sanitised(now: now) == SharedPace.State())
    }

    @Test func aSharedPaceWaitIsBounded() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let opened = SharedPace.open(folder: folder, identity: "x", now: { 1_000_000 })
        let pace = try #require(opened)
        pace.rateLimited(startedAt: 1_000_000, retryAfter: 1e30)
        #expect(pace.reserve().wait <= SharedPace.State.longestWait)
    }

    @Test func aPaceFolderOfOthersIsRefused() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/open", withIntermediateDirectories: true)
        #expect(chmod(folder + "/open", 0o777) == 0)
        #expect(throws: OutputError.self) { try SharedPace.opening(folder: folder + "/open/pace", privateFrom: folder + "/open", identity: "x") }
        let made = try SharedPace.opening(folder: folder + "/mine/pace", privateFrom: folder + "/mine", identity: "x")
        var info = stat()
        #expect(stat(folder + "/mine", &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(made.reserve().wait == 0)
    }

    // MARK: 14. answers read by streaming

    @Test func fieldsAreCapturedAndTheLastKeyWins() throws {
        let body = Array(#"{"data":[{"url":"a"}],"pad":[[0,0],{"x":1}],"data":[{"b64_json":"QUJD","type":"b64_json"},{"url":"b"}]}"#.utf8)
        #expect(try TogetherAnswer.parse(body) == .base64("QUJD"))
        #expect(ReferenceAnswer.together(body) == .success(.base64("QUJD")))
        let capture = try JSONFieldCapture.scan(body, TogetherAnswer.fields)
        #expect(capture[.key("data")]?.value == .container(isObject: false, count: 2))
        #expect(capture[.key("data"), .index(0), .key("url")] == nil)
    }

    @Test(arguments: [
        #"[]"#, #"{"data":{}}"#, #"{"data":[]}"#, #"{"data":[1]}"#, #"{"data":[{"type":"png"}]}"#, #"{"data":[{"url":"u"}]}"#,
        #"{"data":[{"b64_json":7,"url":"u"}]}"#, #"{"data":[{"b64_json":"x"}"#, "",
    ])
    func togetherAnswersAgreeWithTheTree(body: String) {
        let streamed = Result { () throws(GenerationError) in try TogetherAnswer.parse(Array(body.utf8)) }
        #expect(ReferenceAnswer.comparable("\(streamed)") == ReferenceAnswer.comparable("\(ReferenceAnswer.together(Array(body.utf8)))"))
    }

    @Test func batchAnswersKeepOnlyWhatIsRead() throws {
        let image = Base64.encode(TestPictures.png(width: 4, height: 4, kind: TestPictures.allKinds[0]))
        let padding = String(repeating: "[],", count: 100_000) + "[]"
        let body = Array(#"{"success":true,"noise":[\#(padding)],"results":[{"id":"b","success":false,"error":"FLUX API error: 429 - {}"},{"id":"a","success":true,"image":"data:image/png;base64,\#(image)"}]}"#.utf8)
        let requests = ["a", "b", "c"].map { ImageRequest(id: $0, caption: nil, prompt: "p", promptToSend: "p", width: 4, height: 4, seed: 1) }
        let answers = try RemoteProvider.answers(in: body, for: requests)
        guard case .success(.bytes(let bytes)) = answers[0] else {
            Issue.record("\(answers[0])")
            return
        }
        #expect(bytes == Base64.decode(image))
        guard case .failure(.rateLimited) = answers[1], case .failure(.badResponse) = answers[2] else {
            Issue.record("\(answers)")
            return
        }
    }

    @Test func errorMessagesAreFoundWithoutATree() {
        let redactor = Redactor(secrets: [])
        #expect(UpstreamStatus.errorMessage(in: Array(#"{"error":{"message":"nope"}}"#.utf8), redactor: redactor) == "nope")
        #expect(UpstreamStatus.errorMessage(in: Array(#"{"error":"flat"}"#.utf8), redactor: redactor) == "flat")
        #expect(UpstreamStatus.errorMessage(in: Array(#"{"message":"m","error":{"code":1}}"#.utf8), redactor: redactor) == "m")
        #expect(UpstreamStatus.errorMessage(in: Array("[[],[]]".utf8), redactor: redactor) == nil)
    }

    // MARK: 15, 19, 20.

    @Test func theCacheSizeIsChecked() throws {
        #expect(try PictureCache.limit(environment: [:]) == PictureCache.defaultLimit)
        #expect(try PictureCache.limit(environment: ["WSIMG_CACHE_SIZE": "512"]) == 512 << 20)
        for bad in ["0", "-1", "9000000000000", "1e3", "x"] {
            #expect(throws: ConfigurationError.self) { try PictureCache.limit(environment: ["WSIMG_CACHE_SIZE": bad]) }
        }
    }

    @Test func loneSurrogatesAreKeptAndReadAsReplacementCharacters() throws {
        for chunk in [1, 3, 1 << 20] {
            let text = #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"cat \ud83e\n","caption":"\udd16x\ud83e\ud83e\udd16"}}]}]}"#
            let sheet = try Worksheet(source: Array(text.utf8), chunkSize: chunk)
            let placeholder = try #require(sheet.placeholders.first)
            #expect(placeholder.prompt == "cat \u{FFFD}\n")
            #expect(placeholder.caption == "\u{FFFD}x\u{FFFD}🤖")
            #expect(placeholder.brokenTexts == ["caption", "imagePrompt"])
        }
        #expect(StringBytes.decode(Array(#"\ud83e"#.utf8), truncated: true) == "")
    }

    @Test func theAPIsAddressIsPartOfAPictureUnlessItIsTogethers() throws {
        func provider(_ base: String) throws -> TogetherProvider {
            TogetherProvider(
                endpoint: try ServiceEndpoints.together(base: base, allowInsecureHTTP: false), apiKey: "k", model: "m", steps: 4, timeout: 1,
                transport: NoNetwork())
        }
        let request = ImageRequest(id: "0-0", caption: nil, prompt: "p", promptToSend: "p", width: 256, height: 256, seed: 1)
        let real = try provider(TogetherProvider.defaultBaseURL).cacheKeyFields(for: request)
        #expect(real == ["together", "m", "p", "256x256", "steps=4", "seed=1"])
        #expect(try provider("https://api.together.xyz/v1/").cacheKeyFields(for: request) == real)
        #expect(try provider("http://127.0.0.1:9/v1").cacheKey(for: request) != provider(TogetherProvider.defaultBaseURL).cacheKey(for: request))
    }

    // MARK: 10–12. the run's inputs

    @Test func inputsAreTakenOnceAndOutputsChecked() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = FileManager.default.createFile(atPath: folder + "/a.json", contents: Data("{}".utf8))
        _ = FileManager.default.createFile(atPath: folder + "/r.json", contents: Data("{\n  \"tool\": \"wsimg\",\n".utf8))
        #expect(symlink(folder + "/a.json", folder + "/link.json") == 0)
        var notes: [String] = []
        let inputs = RunInputs.resolve([folder + "/a.json", folder, folder + "/link.json"]) { notes.append($0) }
        #expect(inputs.map(\.name) == [folder + "/a.json"])
        #expect(notes.count == 3)
        #expect(throws: RunInputs.Conflict.self) {
            try RunInputs.check([("a", folder + "/a.json", folder + "/o.json", folder + "/i1"), ("b", folder + "/b.json", folder + "/o.json", folder + "/i2")], report: nil)
        }
        #expect(throws: RunInputs.Conflict.self) {
            try RunInputs.check([("a", folder + "/a.json", folder + "/a.json", folder + "/i1")], report: folder + "/link.json")
        }
        #expect(RunLocks.groupSize() >= 8)
    }
}
