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

/// A teacher chooses the picture: every picture made for an element stays a candidate, `candidates`
/// lists them, `pick` links one without a request, and later runs and `--prune` keep it. On the web
/// app's saved form (element ids, pageId, metadata).
@Suite struct CandidatesTests {
    static let prompts = IdentityTests.prompts
    static let dinosaur = "element-0-img-1-1763629200000-k3j9x2a"

    func env(_ upstream: FakeTogether) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
    }

    struct Listed: Decodable {
        struct Element: Decodable {
            struct Candidate: Decodable {
                let number: Int
                let file: String
                let key: String
                let seed: Int
                let linked: Bool
            }

            let id: String
            let linked: Int?
            let candidates: [Candidate]
        }

        let elements: [Element]
    }

    /// A fake Together, and the web app's worksheet with its four pictures made (4 requests).
    func generated() async throws -> (FakeTogether, Scratch) {
        let upstream = try FakeTogether()
        let scratch = try Scratch()
        scratch.write("w.json", IdentityTests.sheet(.webApp, prompts: Self.prompts))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        return (upstream, scratch)
    }

    func candidates(_ scratch: Scratch, _ upstream: FakeTogether, _ extra: [String] = []) async throws -> [Listed.Element] {
        let run = try await Wsimg.run(["candidates", "w.json", "--json"] + extra, in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(run.code == 0, "\(run.stderr)")
        return try JSONDecoder().decode(Listed.self, from: Data(run.stdout.utf8)).elements
    }

    @Test func redoThreeTimesThenPickTheFirstWithoutARequest() async throws {
        let (upstream, scratch) = try await generated()
        defer { upstream.stop() }
        let first = try #require(try scratch.worksheet("w.json").url(Self.dinosaur))
        let firstBytes = scratch.bytes(first)
        for _ in 0..<3 {
            let redo = try await Wsimg.run(["generate", "w.json", "--redo", Self.dinosaur], in: scratch.path, environment: env(upstream))
            #expect(redo.code == 0, "\(redo.stderr)")
        }
        #expect(upstream.requestCount == 7)
        let listed = try #require(try await candidates(scratch, upstream, [Self.dinosaur]).first)
        #expect(listed.id == Self.dinosaur)
        #expect(listed.candidates.map(\.number) == [1, 2, 3, 4])
        #expect(listed.linked == 4 && listed.candidates.map(\.linked) == [false, false, false, true])
        #expect(listed.candidates[0].file == first)
        #expect(Set(listed.candidates.map(\.seed)).count == 4)
        let latest = try #require(try scratch.worksheet("w.json").url(Self.dinosaur))
        #expect(listed.candidates[3].file == latest)

        // The text listing says the same, with the command that picks.
        let text = try await Wsimg.run(["candidates", "w.json"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(text.stdout.contains("  * 4  \(latest)"), "\(text.stdout)")
        #expect(text.stdout.contains("pick one: wsimg pick w.json \(Self.dinosaur) N"))

        let pick = try await Wsimg.run(["pick", "w.json", Self.dinosaur, "1"], in: scratch.path, environment: env(upstream))
        #expect(pick.code == 0, "\(pick.stderr)")
        #expect(pick.stderr.contains("\(Self.dinosaur): candidate 1 of 4 chosen (\(first))"), "\(pick.stderr)")
        #expect(upstream.requestCount == 7)
        let picked = try #require(try scratch.worksheet("w.json").url(Self.dinosaur))
        #expect(picked == first && scratch.bytes(picked) == firstBytes)
        #expect(scratch.bytes(latest) != firstBytes)
        try IdentityTests().expectRightPictures(scratch)

        // Kept by the next run (no request), and by --prune with every other candidate.
        let again = try await Wsimg.run(["generate", "w.json", "--prune"], in: scratch.path, environment: env(upstream))
        #expect(again.code == 0, "\(again.stderr)")
        #expect(upstream.requestCount == 7)
        #expect(try scratch.worksheet("w.json").url(Self.dinosaur) == first)
        #expect(listed.candidates.allSatisfy { scratch.exists($0.file) })
        #expect(try await candidates(scratch, upstream, [Self.dinosaur]).first?.linked == 1)
        // Candidates are the element's: validate does not call them orphans.
        let validate = try await Wsimg.run(["validate", "w_images", "--worksheet", "w.json"], in: scratch.path)
        #expect(validate.code == 0 && !validate.stderr.contains("belongs to no element"), "\(validate.stderr)")
    }

    @Test func variantsMakeThatManyCandidatesAndLinkTheFirst() async throws {
        let (upstream, scratch) = try await generated()
        defer { upstream.stop() }
        let nothing = try await Wsimg.run(["generate", "w.json", "--variants", "2"], in: scratch.path, environment: env(upstream))
        #expect(nothing.code == 0 && nothing.stderr.contains("--variants: every picture is there, so none were made"), "\(nothing.stderr)")
        #expect(upstream.requestCount == 4)
        let dry = try await Wsimg.run(
            ["generate", "w.json", "--redo", Self.dinosaur, "--variants", "3", "--dry-run"], in: scratch.path, environment: env(upstream))
        #expect(dry.stdout.contains("To generate: 3 images"), "\(dry.stdout)")
        #expect(!dry.stdout.contains("other settings"), "\(dry.stdout)")
        let run = try await Wsimg.run(["generate", "w.json", "--redo", Self.dinosaur, "--variants", "3"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 4 + 3)
        let seeds = upstream.requests.suffix(3).map(\.seed)
        #expect(Set(seeds).count == 3)
        #expect(run.stderr.contains("2 more candidates made"))
        let listed = try #require(try await candidates(scratch, upstream, [Self.dinosaur]).first)
        #expect(listed.candidates.count == 4)
        // The first new one is linked: the redone seed, the first of the three sent.
        let linked = try #require(listed.linked.map { listed.candidates[$0 - 1] })
        #expect(linked.number >= 2 && seeds.contains(linked.seed))
        try IdentityTests().expectRightPictures(scratch)
        // A variant is picked like any candidate, and the element keeps it.
        let other = try #require(listed.candidates.last { !$0.linked && $0.number > 1 })
        #expect(try await Wsimg.run(["pick", "w.json", Self.dinosaur, "\(other.number)"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(try scratch.worksheet("w.json").url(Self.dinosaur) == other.file)
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(try scratch.worksheet("w.json").url(Self.dinosaur) == other.file)
        #expect(upstream.requestCount == 7)
    }

    /// A redo done in place is what `--embed -o upload.json` sends (it sent the first picture again,
    /// generated anew, before the input's images folder's choices were read).
    @Test func pickAndRedoReachAnEmbeddedCopyElsewhere() async throws {
        let (upstream, scratch) = try await generated()
        defer { upstream.stop() }
        #expect(try await Wsimg.run(["generate", "w.json", "--redo", Self.dinosaur], in: scratch.path, environment: env(upstream)).code == 0)
        let redone = try #require(try scratch.worksheet("w.json").url(Self.dinosaur))
        let upload = try await Wsimg.run(["generate", "w.json", "--embed", "-o", "upload.json"], in: scratch.path, environment: env(upstream))
        #expect(upload.code == 0, "\(upload.stderr)")
        #expect(upstream.requestCount == 5)
        func embeddedKey(_ name: String) throws -> String? {
            let sheet = try scratch.worksheet(name)
            let placeholder = try #require(sheet.placeholders.first { $0.id == Self.dinosaur })
            return PictureMark.key(inDataURL: try #require(sheet.link(placeholder)))
        }
        #expect(try embeddedKey("upload.json") == ImageStore.key(inFileName: (redone as NSString).lastPathComponent))

        // pick with --embed -o: the first picture, embedded; the in-place worksheet is untouched.
        let listed = try #require(try await candidates(scratch, upstream, [Self.dinosaur]).first)
        let pick = try await Wsimg.run(
            ["pick", "w.json", Self.dinosaur, "1", "--embed", "-o", "upload.json"], in: scratch.path, environment: env(upstream))
        #expect(pick.code == 0, "\(pick.stderr)")
        #expect(upstream.requestCount == 5)
        #expect(try embeddedKey("upload.json") == listed.candidates[0].key)
        #expect(try scratch.worksheet("w.json").url(Self.dinosaur) == redone)
        // The copy has no images folder of its own: its listing says so rather than "no picture yet".
        let copy = try await Wsimg.run(["candidates", "upload.json", Self.dinosaur], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(copy.stdout.contains("only the picture embedded in the worksheet"), "\(copy.stdout)")
    }

    @Test func pickSaysWhatItCannotDo() async throws {
        let (upstream, scratch) = try await generated()
        defer { upstream.stop() }
        let before = scratch.read("w.json")
        let tooFar = try await Wsimg.run(["pick", "w.json", Self.dinosaur, "2"], in: scratch.path, environment: env(upstream))
        #expect(tooFar.code == 2 && tooFar.stderr.contains("has 1 candidate, not 2"), "\(tooFar.stderr)")
        let unknown = try await Wsimg.run(["pick", "w.json", "nope", "1"], in: scratch.path, environment: env(upstream))
        #expect(unknown.code == 2 && unknown.stderr.contains("nope: no image element with that id"), "\(unknown.stderr)")
        let settings = try await Wsimg.run(["pick", "w.json", Self.dinosaur, "1", "--steps", "8"], in: scratch.path, environment: env(upstream))
        #expect(settings.code == 2 && settings.stderr.contains("was made with --steps 4, not this run's"), "\(settings.stderr)")
        let usage = try await Wsimg.run(["pick", "w.json", Self.dinosaur], in: scratch.path, environment: env(upstream))
        #expect(usage.code == 2 && usage.stderr.contains("wsimg pick WORKSHEET ID N"))
        #expect(scratch.read("w.json") == before)
        #expect(upstream.requestCount == 4)

        // Another element's prompt edited: pick links what it can, sends nothing, and says the rest is missing.
        scratch.write("w.json", before.replacingOccurrences(of: "Volcano experiment", with: "Rainbow experiment"))
        let partial = try await Wsimg.run(["pick", "w.json", Self.dinosaur, "1"], in: scratch.path, environment: env(upstream))
        #expect(partial.code == 1, "\(partial.stderr)")
        #expect(partial.stderr.contains("wsimg pick` sends no request"), "\(partial.stderr)")
        #expect(upstream.requestCount == 4)
    }

    /// Candidates of an element whose prompt changed are offered no more, kept on disk until --prune.
    @Test func anEditedPromptsCandidatesWaitForPrune() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", IdentityTests.sheet(.webApp, prompts: Self.prompts))
        #expect(try await Wsimg.run(["generate", "w.json", "--redo", Self.dinosaur], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(try await Wsimg.run(["generate", "w.json", "--redo", Self.dinosaur], in: scratch.path, environment: env(upstream)).code == 0)
        let old = try #require(try await candidates(scratch, upstream, [Self.dinosaur]).first).candidates
        #expect(old.count == 2)
        scratch.write("w.json", scratch.read("w.json").replacingOccurrences(of: "Friendly dinosaur", with: "Sleepy dinosaur"))
        #expect(try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream)).code == 0)
        let now = try #require(try await candidates(scratch, upstream, [Self.dinosaur]).first).candidates
        #expect(now.count == 1 && now[0].linked)
        #expect(old.allSatisfy { scratch.exists($0.file) })
        let prompts = try await Wsimg.run(["prompts", "w.json"], in: scratch.path, environment: ["TOGETHER_BASE_URL": upstream.baseURL])
        #expect(prompts.stdout.contains("2 pictures in w_images/ belong to no element"), "\(prompts.stdout)")
        let validate = try await Wsimg.run(["validate", "w_images", "--worksheet", "w.json"], in: scratch.path)
        #expect(validate.stderr.components(separatedBy: "belongs to no element").count == 3, "\(validate.stderr)")
        #expect(try await Wsimg.run(["generate", "w.json", "--prune"], in: scratch.path, environment: env(upstream)).code == 0)
        #expect(old.allSatisfy { !scratch.exists($0.file) })
        #expect(scratch.exists(now[0].file))
        #expect(RedoManifest.load(from: scratch.path + "/w_images").candidates[Self.dinosaur]?.count == 1)
    }

    /// A candidate whose file was damaged or swapped is offered no more: `pick` never links a broken picture.
    @Test func aDamagedCandidateIsNotOffered() async throws {
        let (upstream, scratch) = try await generated()
        defer { upstream.stop() }
        let first = try #require(try scratch.worksheet("w.json").url(Self.dinosaur))
        #expect(try await Wsimg.run(["generate", "w.json", "--redo", Self.dinosaur], in: scratch.path, environment: env(upstream)).code == 0)
        try Data(scratch.bytes(first).prefix(100)).write(to: URL(fileURLWithPath: scratch.path + "/" + first))
        let listed = try #require(try await candidates(scratch, upstream, [Self.dinosaur]).first)
        #expect(listed.candidates.count == 1 && listed.candidates[0].file != first)
        let pick = try await Wsimg.run(["pick", "w.json", Self.dinosaur, "2"], in: scratch.path, environment: env(upstream))
        #expect(pick.code == 2 && pick.stderr.contains("has 1 candidate, not 2"), "\(pick.stderr)")
    }
}
