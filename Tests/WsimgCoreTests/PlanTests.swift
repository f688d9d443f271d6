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

@Suite struct GenerationPlanTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wsimg-plan-\(UUID())").path
    var store: ImageStore { ImageStore(directory: folder + "/w_images", urlPrefix: "w_images") }
    let provider = PlaceholderProvider()

    func sheet(url: String?, prompt: String = "cat") throws -> Worksheet {
        let urlField = url.map { #", "url": \#(JSONWriter.quoted($0))"# } ?? ""
        return try Worksheet(source: Array(#"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"\#(prompt)","width":256,"height":256\#(urlField)}}]}]}"#.utf8))
    }

    func plan(_ sheet: Worksheet, embed: Bool = false, force: Bool = false) -> GenerationPlan {
        GenerationPlan(worksheet: sheet, provider: provider, options: RequestOptions(), store: store, force: force)
    }

    /// Writes the picture the plan would want for `prompt`; returns its URL.
    func writeCurrentPicture(prompt: String = "cat") async throws -> String {
        let entry = try #require(plan(try sheet(url: nil, prompt: prompt)).entries.first)
        let request = try #require(entry.request)
        let key = try #require(entry.key)
        try store.prepare()
        try store.store(try await provider.generate(request), id: "0-0", key: key)
        return store.url(id: "0-0", key: key)
    }

    @Test func generatesWhatIsMissing() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(plan(try sheet(url: nil)).entries.first?.decision == .generate)
        #expect(plan(try sheet(url: nil)).jobs.count == 1)
    }

    @Test func skipsAnExistingValidPictureForTheSameRequest() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = try await writeCurrentPicture()
        #expect(plan(try sheet(url: url)).entries.first?.decision == .upToDate)
        #expect(plan(try sheet(url: nil)).entries.first?.decision == .upToDate)
        #expect(plan(try sheet(url: url)).jobs.isEmpty)
    }

    @Test func regeneratesWhenThePromptChanged() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = try await writeCurrentPicture(prompt: "cat")
        #expect(plan(try sheet(url: url, prompt: "dog")).entries.first?.decision == .generate)
    }

    @Test func regeneratesADamagedPicture() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = try await writeCurrentPicture()
        let path = folder + "/" + url
        let bytes = try #require(FileManager.default.contents(atPath: path))
        try bytes.prefix(bytes.count - 4).write(to: URL(fileURLWithPath: path))
        #expect(plan(try sheet(url: url)).entries.first?.decision == .generate)
    }

    @Test(arguments: ["https://example.com/cat.png", "pictures/cat.png", "data:image/png;base64,AAAA", "w_images/0-0-nothex.png"])
    func keepsURLsItDidNotMake(url: String) throws {
        #expect(plan(try sheet(url: url)).entries.first?.decision == .keptForeign)
        #expect(plan(try sheet(url: url), force: true).entries.first?.decision == .generate)
    }

    @Test func embedModeRecognisesItsOwnDataURLs() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = try await writeCurrentPicture(prompt: "cat")
        let data = try #require(FileManager.default.contents(atPath: folder + "/" + url))
        let embedded = EmbeddedImage.url(for: Array(data))
        #expect(plan(try sheet(url: embedded), embed: true).entries.first?.decision == .upToDate)
        #expect(plan(try sheet(url: embedded, prompt: "dog"), embed: true).entries.first?.decision == .generate)
        #expect(plan(try sheet(url: "data:image/png;base64,AAAA", prompt: "dog"), embed: true).entries.first?.decision == .keptForeign)
    }

    @Test func marksBrokenElementsInvalidAndSkipsEmptyPrompts() throws {
        let sheet = try Worksheet(source: Array(#"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":""}},{"type":"image-placeholder","properties":{"imagePrompt":7}}]}]}"#.utf8))
        #expect(plan(sheet).entries.map(\.decision) == [.skipped("imagePrompt is empty"), .invalid("imagePrompt is a number, not text")])
        #expect(plan(sheet).jobs.isEmpty)
    }
}

@Suite struct AtomicFileTests {
    @Test func replacesWholeFilesAndCleansDeadRunsLeftovers() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wsimg-atomic-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AtomicFile.write(Array("one".utf8), to: folder + "/f.json")
        try AtomicFile.write(Array("two".utf8), to: folder + "/f.json")
        #expect(FileManager.default.contents(atPath: folder + "/f.json") == Data("two".utf8))
        // A leftover nobody holds, whatever its pid says, and one a live writer (in another container,
        // where pids repeat: here a dead pid in the name) still holds locked.
        #expect(FileManager.default.createFile(atPath: folder + "/.wsimg-\(getpid())-abcdef.tmp", contents: Data("x".utf8)))
        #expect(FileManager.default.createFile(atPath: folder + "/.wsimg-4194305-held00.tmp", contents: Data("x".utf8)))
        let held = open(folder + "/.wsimg-4194305-held00.tmp", O_RDWR)
        defer { close(held) }
        #expect(flock(held, LOCK_EX) == 0)
        AtomicFile.removeStaleTemporaries(in: folder)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(names == ["f.json", ".wsimg-4194305-held00.tmp"])
    }

    @Test func replacingKeepsModeAndNewFilesHonourTheUmask() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wsimg-atomic-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try AtomicFile.write(Array("new".utf8), to: folder + "/new.json")
        var info = stat()
        #expect(stat(folder + "/new.json", &info) == 0 && info.st_mode & 0o7777 == AtomicFile.newFileMode)
        #expect(chmod(folder + "/new.json", 0o640) == 0)
        try AtomicFile.write(Array("again".utf8), to: folder + "/new.json")
        #expect(stat(folder + "/new.json", &info) == 0 && info.st_mode & 0o7777 == 0o640)
    }

    @Test func namesThePathWhenItCannotWrite() {
        #expect(throws: OutputError.self) { try AtomicFile.write([1], to: "/nonexistent-wsimg-folder/x.png") }
        do {
            try AtomicFile.write([1], to: "/nonexistent-wsimg-folder/x.png")
        } catch {
            #expect(error.description.contains("/nonexistent-wsimg-folder/x.png"))
        }
    }
}
