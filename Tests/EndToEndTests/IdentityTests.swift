import FakeUpstream
import Foundation
import Testing
import WsimgBasics
import WsimgCLI
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// Elements are recognised by their pictures' keys, never by their position: inserting, deleting
/// and moving elements costs nothing for unchanged prompts and never keeps a stale picture — in the
/// short form (no element ids) and in the web app's saved form (ids, pageId, metadata).
@Suite struct IdentityTests {
    enum Form: String, CaseIterable {
        case short, webApp
    }

    static let prompts = ["Веселий кіт грає з клубком", "Friendly dinosaur learning math", "Сова читає книжку", "Volcano experiment"]

    /// The worksheet with these image prompts (in this order) and, before each, the text elements named.
    static func sheet(_ form: Form, prompts: [String], textBefore: Set<Int> = []) -> String {
        var elements: [String] = []
        for (index, prompt) in prompts.enumerated() {
            if textBefore.contains(index) {
                elements.append(element(form, id: "text-\(index)", type: "body-text", properties: #"{"text":"Інструкція"}"#))
            }
            // An element's id follows it wherever it moves, as the web app's do.
            let stable = Self.prompts.firstIndex { prompt.hasPrefix($0) } ?? index
            elements.append(
                element(
                    form, id: "img-\(stable)", type: "image-placeholder",
                    properties: #"{"imagePrompt":\#(JSONWriter.quoted(prompt)),"caption":"Picture \#(stable)","width":512,"height":384}"#))
        }
        let page = form == .webApp ? #""pageId":"page-1","title":"Тварини","pageNumber":1,"pageType":"worksheet","# : ""
        let metadata = form == .webApp ? #","metadata":{"topic":"Тварини","ageGroup":"6-7","language":"uk"}"# : ""
        return #"{"title":"Урок","pages":[{\#(page)"elements":[\#(elements.joined(separator: ","))]}]\#(metadata)}"#
    }

    static func element(_ form: Form, id: String, type: String, properties: String) -> String {
        let identity = form == .webApp ? #""id":"element-0-\#(id)-1763629200000-k3j9x2a","position":{"x":40,"y":40},"size":{"width":512,"height":384},"zIndex":1,"locked":false,"visible":true,"# : ""
        return #"{\#(identity)"type":"\#(type)","properties":\#(properties)}"#
    }

    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    /// Each image element's picture is the one its prompt asks for: the fake's picture is a function
    /// of the prompt, so the bytes say which prompt a picture was made for.
    func expectRightPictures(_ scratch: Scratch, _ name: String = "w.json", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let sheet = try scratch.worksheet(name)
        for placeholder in sheet.placeholders {
            let url = try #require(sheet.link(placeholder), sourceLocation: sourceLocation)
            // Links resolve from the worksheet's own folder.
            let folder = name.contains("/") ? String(name[...name.lastIndex(of: "/")!]) : ""
            let bytes = scratch.bytes(folder + url)
            let header = try PNGValidator.header(of: bytes)
            var expected = FakeTogether.png(width: header.width, height: header.height, prompt: PromptEnhancer.enhance(placeholder.prompt))
            expected = PictureMark.insert(key: PictureMark.key(in: bytes) ?? "", into: expected)
            #expect(bytes == expected, "\(placeholder.id) shows another prompt's picture", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Form.allCases)
    func insertingDeletingAndMovingElementsKeepsEveryPictureRight(form: Form) async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Self.sheet(form, prompts: Self.prompts))
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(upstream.requestCount == 4)

        // A text element inserted at the top, and the third prompt edited: one request, for that one.
        var edited = Self.prompts
        edited[2] = "Сова читає книжку, edited"
        let linked = try scratch.worksheet("w.json").placeholders.map { try #require(scratch.worksheet("w.json").link($0)) }
        var text = Self.sheet(form, prompts: edited, textBefore: [0])
        for (index, url) in linked.enumerated() {
            text = text.replacingOccurrences(of: "\"Picture \(index)\",", with: "\"Picture \(index)\",\"url\":\(JSONWriter.quoted(url)),")
        }
        scratch.write("w.json", text)
        let inserted = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(inserted.code == 0, "\(inserted.stderr)")
        #expect(upstream.requestCount == 5)
        #expect(inserted.stderr.contains("1 new, 3 already present"), "\(inserted.stderr)")
        try expectRightPictures(scratch)

        // The first image element deleted: nothing to make; its picture (and the edited prompt's old one)
        // are reported, then pruned on request.
        let sheet = try scratch.worksheet("w.json")
        let urls = sheet.placeholders.map { sheet.link($0) ?? "" }
        var remaining = Self.sheet(form, prompts: Array(edited.dropFirst()), textBefore: [0])
        for (index, url) in urls.enumerated().dropFirst() {
            remaining = remaining.replacingOccurrences(of: "\"Picture \(index)\",", with: "\"Picture \(index)\",\"url\":\(JSONWriter.quoted(url)),")
        }
        scratch.write("w.json", remaining)
        let deleted = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(deleted.code == 0 && upstream.requestCount == 5, "\(deleted.stderr)")
        try expectRightPictures(scratch)
        let prompts = try await Wsimg.run(["prompts", "w.json"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(prompts.stdout.contains("2 pictures in w_images/ belong to no element"), "\(prompts.stdout)")
        #expect(!prompts.stdout.contains("wsimg did not make"))
        #expect(scratch.files(in: "w_images").count == 5)
        let pruned = try await Wsimg.run(["generate", "w.json", "--prune"], in: scratch.path, environment: env(upstream))
        #expect(pruned.code == 0 && upstream.requestCount == 5, "\(pruned.stderr)")
        #expect(scratch.files(in: "w_images").count == 3)
        try expectRightPictures(scratch)

        // Two elements swapped: nothing to make, nothing stale.
        let now = try scratch.worksheet("w.json")
        let byPrompt = Dictionary(uniqueKeysWithValues: now.placeholders.map { ($0.prompt, now.link($0) ?? "") })
        let swapped = [edited[3], edited[1], edited[2]]
        var moved = Self.sheet(form, prompts: swapped)
        for prompt in swapped {
            let stable = Self.prompts.firstIndex { prompt.hasPrefix($0) }!
            moved = moved.replacingOccurrences(of: "\"Picture \(stable)\",", with: "\"Picture \(stable)\",\"url\":\(JSONWriter.quoted(byPrompt[prompt]!)),")
        }
        scratch.write("w.json", moved)
        let swappedRun = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(swappedRun.code == 0 && upstream.requestCount == 5, "\(swappedRun.stderr)")
        try expectRightPictures(scratch)
        if form == .webApp {
            #expect(scratch.files(in: "w_images").allSatisfy { $0.hasPrefix("element-0-img-") }, "\(scratch.files(in: "w_images"))")
        }
    }

    /// A worksheet without its links (pasted again, say), its elements shifted: the pictures made
    /// already are found by their key under their old names, not asked for again (even without the cache).
    @Test func picturesAreFoundByKeyUnderAnyName() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Self.sheet(.short, prompts: Self.prompts))
        #expect(try await Wsimg.run(["generate", "w.json", "--no-cache"], in: scratch.path, environment: env(upstream)).code == 0)
        scratch.write("w.json", Self.sheet(.short, prompts: Self.prompts, textBefore: [0, 2]))
        let again = try await Wsimg.run(["generate", "w.json", "--no-cache"], in: scratch.path, environment: env(upstream))
        #expect(again.code == 0, "\(again.stderr)")
        #expect(upstream.requestCount == 4)
        try expectRightPictures(scratch)
    }

    /// The README's upload step: pictures come from the input's images folder, or the cache, never a request.
    @Test func embedIntoANewFileAlwaysEmbeds() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("lesson.json", Self.sheet(.webApp, prompts: Self.prompts))
        let environment = env(upstream).merging(["WSIMG_CACHE_DIR": scratch.path + "/cache"]) { $1 }
        #expect(try await Wsimg.run(["generate", "lesson.json"], in: scratch.path, environment: environment).code == 0)
        let upload = try await Wsimg.run(["generate", "lesson.json", "--embed", "-o", "lesson-for-upload.json"], in: scratch.path, environment: environment)
        #expect(upload.code == 0, "\(upload.stderr)")
        #expect(upstream.requestCount == 4)
        #expect(scratch.read("lesson-for-upload.json").components(separatedBy: "data:image/png;base64,").count - 1 == 4)
        // Without the images folder, the cache has them.
        try FileManager.default.removeItem(atPath: scratch.path + "/lesson_images")
        try FileManager.default.removeItem(atPath: scratch.path + "/lesson-for-upload.json")
        let again = try await Wsimg.run(["generate", "lesson.json", "--embed", "-o", "build/upload.json"], in: scratch.path, environment: environment)
        #expect(again.code == 0, "\(again.stderr)")
        #expect(upstream.requestCount == 4)
        #expect(scratch.read("build/upload.json").components(separatedBy: "data:image/png;base64,").count - 1 == 4)
        // -o to a new place links the pictures where they are.
        let moved = try await Wsimg.run(["generate", "build/upload.json", "-o", "other/linked.json"], in: scratch.path, environment: environment)
        #expect(moved.code == 0, "\(moved.stderr)")
        #expect(upstream.requestCount == 4)
        let validate = try await Wsimg.run(["validate", "--worksheet", "other/linked.json"], in: scratch.path)
        #expect(validate.code == 0, "\(validate.stdout)")
    }

    @Test func forceMakesNewPicturesEvenWithACache() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Self.sheet(.short, prompts: Array(Self.prompts.prefix(2))))
        let environment = env(upstream).merging(["WSIMG_CACHE_DIR": scratch.path + "/cache"]) { $1 }
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: environment).code == 0)
        let forced = try await Wsimg.run(["generate", "w.json", "--force"], in: scratch.path, environment: environment)
        #expect(forced.code == 0, "\(forced.stderr)")
        #expect(upstream.requestCount == 4)
    }

    @Test func redoTakesElementIdsPositionsAndNumbers() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Self.sheet(.webApp, prompts: Self.prompts))
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        for (name, count) in [("element-0-img-1-1763629200000-k3j9x2a", 5), ("0-2", 6), ("#4", 7)] {
            let redo = try await Wsimg.run(["generate", "w.json", "--redo", name], in: scratch.path, environment: env(upstream))
            #expect(redo.code == 0, "\(name): \(redo.stderr)")
            #expect(upstream.requestCount == count, "\(name)")
        }
        let unknown = try await Wsimg.run(["generate", "w.json", "--redo", "#9"], in: scratch.path, environment: env(upstream))
        #expect(unknown.code == 2)
    }

    /// The sample is the web app's saved form, and generates as it is.
    @Test func theSampleIsTheWebAppsForm() async throws {
        let scratch = try Scratch()
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Samples/worksheet.json").path
        let text = try String(contentsOfFile: sample, encoding: .utf8)
        #expect(text.contains("\"pageId\"") && text.contains("\"metadata\"") && text.contains("\"zIndex\""))
        scratch.write("w.json", text)
        let run = try await Wsimg.run(["generate", "w.json", "--provider", "placeholder"], in: scratch.path)
        #expect(run.code == 0, "\(run.stderr)")
        let sheet = try scratch.worksheet("w.json")
        #expect(sheet.placeholders.allSatisfy { $0.id.hasPrefix("element-") && $0.id == $0.elementID })
        #expect(scratch.files(in: "w_images").allSatisfy { $0.hasPrefix("element-") })
    }
}

/// `wsimg cache`: the cache, visible, and emptied on request.
@Suite struct CacheCommandTests {
    @Test func theCacheIsShownAndCleaned() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let environment = ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL, "WSIMG_CACHE_DIR": scratch.path + "/cache"]
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: environment).code == 0)
        let shown = try await Wsimg.run(["cache"], in: scratch.path, environment: environment)
        #expect(shown.code == 0)
        #expect(shown.stdout.contains("Cache:    \(scratch.path)/cache") && shown.stdout.contains("Pictures: 2"), "\(shown.stdout)")
        let recent = try await Wsimg.run(["cache", "clean", "--older-than", "30"], in: scratch.path, environment: environment)
        #expect(recent.stdout.hasPrefix("Removed 0 pictures"), "\(recent.stdout)")
        let all = try await Wsimg.run(["cache", "clean"], in: scratch.path, environment: environment)
        #expect(all.stdout.hasPrefix("Removed 2 pictures"), "\(all.stdout)")
        #expect(try await Wsimg.run(["cache"], in: scratch.path, environment: environment).stdout.contains("Pictures: 0"))
        #expect(try await Wsimg.run(["cache", "--older-than", "3"], in: scratch.path, environment: environment).code == 2)
    }
}
