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

/// The manifest of choices and candidates: read as untrusted, merged across images folders, written back.
@Suite struct CandidateTests {
    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wsimg-candidates-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func candidate(_ key: String, created: Double, fingerprint: String = "aaaaaaaaaaaa", redone: Bool = true, in folder: String) -> Candidate {
        var made = Candidate(key: key, file: "1-2-\(key).png", seed: 7, redone: redone, fingerprint: fingerprint, created: created)
        made.folder = folder
        return made
    }

    @Test func readsTheFirstVersionsSeeds() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(#"{"version":1,"seeds":{"1-2":{"fingerprint":"6df3c6bda427","seed":42}}}"#.utf8).write(to: URL(fileURLWithPath: folder + "/" + RedoManifest.fileName))
        let manifest = RedoManifest.load(from: folder)
        #expect(manifest.redoSeeds["1-2"]?.seed == 42)
        #expect(manifest.candidates.isEmpty)
    }

    @Test func writesAndReadsBackChoicesAndCandidates() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var manifest = RedoManifest()
        manifest.record(candidate("aaaaaaaaaaa1", created: 1_795_844_595.25, redone: false, in: folder), for: "1-2")
        manifest.record(candidate("aaaaaaaaaaa2", created: 1_795_844_596.5, in: folder), for: "1-2")
        manifest.record(candidate("aaaaaaaaaaa2", created: 1_795_844_599, in: folder), for: "1-2")
        manifest.choose(candidate("aaaaaaaaaaa1", created: 0, redone: false, in: folder), for: "1-2", now: 100)
        // A candidate of another images folder (the input's, for a run writing elsewhere) stays listed there.
        manifest.record(candidate("bbbbbbbbbbbb", created: 5, in: "/elsewhere"), for: "1-2")
        try manifest.write(to: folder)
        let read = RedoManifest.load(from: folder)
        #expect(read.candidates["1-2"]?.map(\.key) == ["aaaaaaaaaaa1", "aaaaaaaaaaa2"])
        #expect(read.candidates["1-2"]?.first?.created == 1_795_844_595.25)
        #expect(read.candidates["1-2"]?.first?.redone == false)
        #expect(read.seeds["1-2"]?.chosen == 100 && read.seeds["1-2"]?.redone == false)
        // Chosen back to the element's own seed: no redo seed applies.
        #expect(read.redoSeeds.isEmpty)
    }

    /// The file is untrusted: entries that name another folder, or are out of range, are left out.
    @Test(arguments: [
        #"{"key":"aaaaaaaaaaa1","file":"../x-aaaaaaaaaaa1.png","seed":1,"fingerprint":"aaaaaaaaaaaa","created":1}"#,
        #"{"key":"aaaaaaaaaaa1","file":"1-2-aaaaaaaaaaa2.png","seed":1,"fingerprint":"aaaaaaaaaaaa","created":1}"#,
        #"{"key":"aaaaaaaaaaa1","file":".1-2-aaaaaaaaaaa1.png","seed":1,"fingerprint":"aaaaaaaaaaaa","created":1}"#,
        #"{"key":"aaaaaaaaaaa1","file":"1-2-aaaaaaaaaaa1.png","seed":-1,"fingerprint":"aaaaaaaaaaaa","created":1}"#,
        #"{"key":"aaaaaaaaaaa1","file":"1-2-aaaaaaaaaaa1.png","seed":1,"fingerprint":"not a key","created":1}"#,
        #"{"key":"aaaaaaaaaaa1","file":"1-2-aaaaaaaaaaa1.png","seed":1,"fingerprint":"aaaaaaaaaaaa","created":1e300}"#,
        #""1-2-aaaaaaaaaaa1.png""#,
    ])
    func damagedEntriesAreLeftOut(entry: String) throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let good = #"{"key":"cccccccccccc","file":"1-2-cccccccccccc.png","seed":1,"fingerprint":"aaaaaaaaaaaa","created":1}"#
        let text = #"{"version":2,"seeds":{},"candidates":{"1-2":[\#(entry),\#(good)]}}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/" + RedoManifest.fileName))
        #expect(RedoManifest.load(from: folder).candidates["1-2"]?.map(\.key) == ["cccccccccccc"])
    }

    /// The manifest is never read through a symbolic link someone planted in the images folder.
    @Test func aPlantedLinkIsNotRead() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let elsewhere = folder + "/elsewhere.json"
        try Data(#"{"version":1,"seeds":{"1-2":{"fingerprint":"6df3c6bda427","seed":42}}}"#.utf8).write(to: URL(fileURLWithPath: elsewhere))
        try FileManager.default.createSymbolicLink(atPath: folder + "/" + RedoManifest.fileName, withDestinationPath: elsewhere)
        #expect(RedoManifest.load(from: folder) == RedoManifest())
        // Written, it replaces the link and leaves the file it named alone.
        try RedoManifest().write(to: folder)
        #expect(try String(contentsOfFile: elsewhere, encoding: .utf8).contains("\"seed\":42"))
        var info = stat()
        #expect(lstat(folder + "/" + RedoManifest.fileName, &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
    }

    /// Two images folders' manifests: per element the later choice, the candidates of both.
    @Test func mergingKeepsTheLaterChoiceAndEveryCandidate() {
        var here = RedoManifest()
        var there = RedoManifest()
        here.choose(candidate("aaaaaaaaaaa1", created: 1, in: "/a"), for: "1-2", now: 10)
        there.choose(candidate("aaaaaaaaaaa2", created: 2, in: "/b"), for: "1-2", now: 20)
        there.choose(candidate("aaaaaaaaaaa3", created: 3, in: "/b"), for: "0-1", now: 5)
        here.record(candidate("aaaaaaaaaaa1", created: 1, in: "/a"), for: "1-2")
        there.record(candidate("aaaaaaaaaaa1", created: 1, in: "/b"), for: "1-2")
        there.record(candidate("aaaaaaaaaaa2", created: 2, in: "/b"), for: "1-2")
        let merged = here.merged(with: there)
        #expect(merged.seeds["1-2"]?.chosen == 20 && merged.seeds["0-1"]?.chosen == 5)
        #expect(merged.candidates["1-2"]?.map(\.key) == ["aaaaaaaaaaa1", "aaaaaaaaaaa2"])
        #expect(merged.candidates["1-2"]?.first?.folder == "/a")
    }

    /// Numbered oldest first; made in the same millisecond, in the order recorded; only the current prompt's.
    @Test func candidatesAreNumberedOldestFirst() {
        var manifest = RedoManifest()
        manifest.record(candidate("aaaaaaaaaaa9", created: 5, in: "/a"), for: "1-2")
        manifest.record(candidate("aaaaaaaaaaa1", created: 5, in: "/a"), for: "1-2")
        manifest.record(candidate("aaaaaaaaaaa5", created: 1, in: "/a"), for: "1-2")
        manifest.record(candidate("aaaaaaaaaaa7", created: 0, fingerprint: "bbbbbbbbbbbb", in: "/a"), for: "1-2")
        #expect(manifest.candidates(of: "1-2", fingerprint: "aaaaaaaaaaaa").map(\.key) == ["aaaaaaaaaaa5", "aaaaaaaaaaa9", "aaaaaaaaaaa1"])
        manifest.pruneCandidates(keeping: ["1-2": "bbbbbbbbbbbb"], in: "/elsewhere")
        #expect(manifest.candidates["1-2"]?.count == 4)
    }

    @Test func variantsHaveSeedsOfTheirOwn() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let worksheet = try Worksheet(source: Array(#"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"owl"}}]}]}"#.utf8))
        let plan = GenerationPlan(
            worksheet: worksheet, provider: PlaceholderProvider(), options: RequestOptions(), store: ImageStore(directory: folder, urlPrefix: "w_images"),
            force: false)
        let own = try #require(plan.jobs.first).request.seed
        var rolls: [UInt32] = [own, 9, 9, 4]
        let jobs = plan.variantJobs(3, provider: PlaceholderProvider()) { rolls.removeFirst() }
        #expect(jobs.map(\.request.seed) == [9, 4])
        #expect(jobs.allSatisfy { $0.request.redone && $0.request.id == "0-0" })
        #expect(Set(jobs.map(\.key) + [try #require(plan.jobs.first).key]).count == 3)
        #expect(plan.variantJobs(1, provider: PlaceholderProvider()).isEmpty)
    }

    @Test(arguments: [("lesson.json", "lesson.json"), ("my lesson.json", "'my lesson.json'"), ("it's.json", #"'it'\''s.json'"#), ("$(rm).json", "'$(rm).json'")])
    func pickCommandsAreShellWords(name: String, word: String) {
        #expect(TerminalText.shellWord(name) == word)
    }

    /// Review 3, item 9: a leading `#` is a comment and a leading `-` an option, quoted or not.
    @Test(arguments: [
        ("#lesson.json", "0-0", "wsimg pick '#lesson.json' 0-0 1"),
        ("-x.json", "0-0", "wsimg pick ./-x.json 0-0 1"),
        ("a#b.json", "-e1", "wsimg pick -- a#b.json -e1 1"),
        ("/abs/-x.json", "#7", "wsimg pick /abs/-x.json '#7' 1"),
    ])
    func pastedPickCommandsRunAsShown(worksheet: String, id: String, command: String) {
        #expect(TerminalText.shellCommand("pick", worksheet: worksheet, operands: [id, "1"]) == command)
    }
}
