import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// What the teacher chose per element, and every picture made for it. `--redo ID` and `wsimg pick`
/// choose a seed, which later runs keep until the element's prompt or size changes; every picture a
/// run links or makes is listed as a candidate of its element (`Candidate`). It lives in the images
/// folder (`.wsimg-redo.json`), beside the pictures, so the worksheet still changes only in `url` values.
package struct RedoManifest: Sendable, Equatable {
    package static let fileName = ".wsimg-redo.json"
    /// The version this wsimg writes; a manifest of a higher one is read but never rewritten.
    package static let version = 2
    /// Candidates kept per element at most (the oldest beyond go from the list, not from the disk).
    package static let candidateLimit = 200

    package typealias Seed = ChosenSeed

    package private(set) var seeds: [String: Seed] = [:]
    package private(set) var candidates: [String: [Candidate]] = [:]

    package init(seeds: [String: Seed] = [:], candidates: [String: [Candidate]] = [:]) {
        self.seeds = seeds
        self.candidates = candidates
    }

    /// What a redo seed belongs to: the prompt as sent and the size. Another prompt or size, another picture.
    package static func fingerprint(prompt: String, width: Int, height: Int) -> String {
        ImageRequest.fingerprint(prompt: prompt, width: width, height: height)
    }

    package static func fingerprint(of request: ImageRequest) -> String {
        fingerprint(prompt: request.promptToSend, width: request.width, height: request.height)
    }

    /// What `placeholder` asks for, its prompt sent with the web app's style suffix and without
    /// (`--no-enhance`): for a reader that does not know which the runs used.
    package static func fingerprints(of placeholder: Placeholder) -> [String] {
        [true, false].map { fingerprint(of: ImageRequest(placeholder, options: RequestOptions(enhancePrompts: $0))) }
    }

    /// The seeds that apply: those chosen with `redone` set (the others restore the element's own seed).
    package var redoSeeds: [String: Seed] { seeds.filter(\.value.redone) }

    /// The manifest in `folder`; an unreadable or damaged one counts as empty, a damaged entry is left out.
    package static func load(from folder: String) -> RedoManifest {
        // The images folder may be others' to write: a link planted there is not followed.
        guard let bytes = try? RegularFile.read(folder + "/" + fileName, limit: 16 << 20, followLinks: false) else { return RedoManifest() }
        return parse(bytes, folder: folder)
    }

    /// The manifest in `bytes`, its candidates placed in `folder`; what cannot be read counts as absent.
    package static func parse(_ bytes: [UInt8], folder: String) -> RedoManifest {
        guard let root = try? JSONParser.parse(bytes) else { return RedoManifest() }
        var manifest = RedoManifest()
        if let entries = root["seeds"], case .object(let members) = entries.value {
            for member in members {
                guard let fingerprint = member.node["fingerprint"]?.stringValue, CacheKey.isKey(Substring(fingerprint)),
                    let seed = member.node["seed"]?.numberValue, seed >= 0, seed <= Double(Int32.max), seed == seed.rounded()
                else { continue }
                let chosen = member.node["chosen"]?.numberValue.flatMap { $0 >= 0 && $0 < 1e11 ? Int($0) : nil } ?? 0
                manifest.seeds[member.key] = Seed(
                    fingerprint: fingerprint, seed: UInt32(seed), redone: member.node["redone"]?.value != .bool(false), chosen: chosen)
            }
        }
        if let lists = root["candidates"], case .object(let members) = lists.value {
            for member in members {
                let list = (member.node.arrayValue ?? []).compactMap(Candidate.init).map { candidate in
                    var placed = candidate
                    placed.folder = folder
                    return placed
                }
                if !list.isEmpty { manifest.candidates[member.key] = Array(list.suffix(candidateLimit)) }
            }
        }
        return manifest
    }

    /// This manifest with `other`'s (another images folder's: the input worksheet's, for a run that
    /// writes elsewhere) read beside it: per element the later choice, and the candidates of both.
    package func merged(with other: RedoManifest) -> RedoManifest {
        var merged = self
        for (id, seed) in other.seeds where seed.chosen > (merged.seeds[id]?.chosen ?? -1) { merged.seeds[id] = seed }
        for (id, list) in other.candidates {
            for candidate in list where !(merged.candidates[id] ?? []).contains(where: { $0.key == candidate.key }) {
                merged.candidates[id, default: []].append(candidate)
            }
        }
        return merged
    }

    /// Chooses a new seed for element `id` (whose request is `request`), different from its current one.
    package mutating func redo(
        _ id: String, request: ImageRequest, now: Int = Int(Date().timeIntervalSince1970),
        random: () -> UInt32 = { UInt32.random(in: 0...UInt32(Int32.max)) }
    ) {
        var seed = random()
        while seed == request.seed { seed = random() }
        seeds[id] = Seed(fingerprint: Self.fingerprint(of: request), seed: seed, chosen: now)
    }

    /// Chooses `candidate` for element `id`: its seed, or the element's own when it was made with it.
    package mutating func choose(_ candidate: Candidate, for id: String, now: Int = Int(Date().timeIntervalSince1970)) {
        seeds[id] = Seed(fingerprint: candidate.fingerprint, seed: candidate.seed, redone: candidate.redone, chosen: now)
    }

    /// Lists a picture as a candidate of element `id` (once).
    package mutating func record(_ candidate: Candidate, for id: String) {
        guard !(candidates[id] ?? []).contains(where: { $0.key == candidate.key }) else { return }
        candidates[id, default: []].append(candidate)
        if candidates[id]!.count > Self.candidateLimit { candidates[id]!.removeFirst() }
    }

    /// Keeps only the seeds whose element still asks for the same picture (`current`: element id →
    /// fingerprint). Candidates stay: an edited prompt may be edited back, and `--prune` decides.
    package mutating func prune(keeping current: [String: String]) {
        seeds = seeds.filter { current[$0.key] == $0.value.fingerprint }
    }

    /// `--prune`: drops the candidates in `folder` that are no element's current ones or whose file is gone.
    package mutating func pruneCandidates(keeping current: [String: String], in folder: String) {
        for (id, list) in candidates {
            let kept = list.filter { $0.folder != folder || ($0.fingerprint == current[id] && access($0.path, F_OK) == 0) }
            candidates[id] = kept.isEmpty ? nil : kept
        }
    }

    /// Element `id`'s candidates for the request it makes now (`fingerprint`), oldest first.
    package func candidates(of id: String, fingerprint: String) -> [Candidate] {
        // Oldest first, as `wsimg candidates` numbers them from 1; the same time in the order recorded.
        (candidates[id] ?? []).enumerated().filter { $0.element.fingerprint == fingerprint }
            .sorted { $0.element.created != $1.element.created ? $0.element.created < $1.element.created : $0.offset < $1.offset }.map(\.element)
    }

    /// Whether the picture at `path` is a listed candidate of any element.
    package func lists(path: String) -> Bool {
        candidates.values.contains { $0.contains { $0.path == path } }
    }

    /// Writes the choices, and the candidates that are in `folder` (those read from another images
    /// folder stay listed there). A manifest a newer wsimg wrote there is left as it is (`.newerManifest`).
    package func write(to folder: String) throws(OutputError) {
        let path = folder + "/" + Self.fileName
        if let version = Self.versionOnDisk(in: folder), version > Self.version { throw .newerManifest(path: path, version: version, supported: Self.version) }
        try AtomicFile.write(Array(serialized(for: folder).utf8), to: path)
    }

    /// The `version` of the manifest in `folder` (1 when it has none), or nil when there is none to read.
    package static func versionOnDisk(in folder: String) -> Int? {
        guard let bytes = try? RegularFile.read(folder + "/" + fileName, limit: 16 << 20, followLinks: false),
            let root = try? JSONParser.parse(bytes)
        else { return nil }
        guard let number = root["version"]?.numberValue, number.isFinite, number >= 1, number < 1e9 else { return 1 }
        return Int(number.rounded(.up))
    }

    /// The manifest's text, with the candidates that are in `folder`.
    package func serialized(for folder: String) -> String {
        let candidates = self.candidates.compactMapValues { list in
            let here = list.filter { $0.folder == folder }
            return here.isEmpty ? nil : here
        }
        let seedLines = seeds.keys.sorted().map { id in
            let seed = seeds[id]!
            return #"    \#(JSONWriter.quoted(id)): {"fingerprint": "\#(seed.fingerprint)", "seed": \#(seed.seed), "redone": \#(seed.redone), "chosen": \#(seed.chosen)}"#
        }
        let candidateLines = candidates.keys.sorted().map { id in
            "    \(JSONWriter.quoted(id)): [\n" + candidates[id]!.map { "      " + $0.json() }.joined(separator: ",\n") + "\n    ]"
        }
        return "{\n  \"version\": \(Self.version),\n  \"seeds\": {\n" + seedLines.joined(separator: ",\n") + "\n  },\n  \"candidates\": {\n"
            + candidateLines.joined(separator: ",\n") + "\n  }\n}\n"
    }
}
