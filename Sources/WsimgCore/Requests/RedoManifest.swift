import Foundation

/// `--redo ID`: a new picture for one element, which later runs keep until its prompt or size changes.
/// The chosen seeds live in the images folder (`.wsimg-redo.json`), beside the pictures they made,
/// so the worksheet still changes only in `url` values.
public struct RedoManifest: Sendable, Equatable {
    public static let fileName = ".wsimg-redo.json"

    /// A seed chosen for an element, and the request it was chosen for.
    public struct Seed: Sendable, Equatable {
        public let fingerprint: String
        public let seed: UInt32
    }

    public private(set) var seeds: [String: Seed] = [:]

    public init(seeds: [String: Seed] = [:]) {
        self.seeds = seeds
    }

    /// What a redo seed belongs to: the prompt as sent and the size. Another prompt or size, another picture.
    public static func fingerprint(prompt: String, width: Int, height: Int) -> String {
        CacheKey.make(["redo", prompt, "\(width)x\(height)"])
    }

    /// The manifest in `folder`; an unreadable or damaged one counts as empty (redo seeds are a convenience).
    public static func load(from folder: String) -> RedoManifest {
        guard let bytes = try? RegularFile.read(folder + "/" + fileName, limit: 1 << 20),
            let root = try? JSONParser.parse(bytes), let entries = root["seeds"], case .object(let members) = entries.value
        else {
            return RedoManifest()
        }
        var manifest = RedoManifest()
        for member in members {
            guard let fingerprint = member.node["fingerprint"]?.stringValue, CacheKey.isKey(Substring(fingerprint)),
                let seed = member.node["seed"]?.numberValue, seed >= 0, seed <= Double(Int32.max), seed == seed.rounded()
            else { continue }
            manifest.seeds[member.key] = Seed(fingerprint: fingerprint, seed: UInt32(seed))
        }
        return manifest
    }

    /// Chooses a new seed for element `id` (whose request is `request`), different from its current one.
    public mutating func redo(_ id: String, request: ImageRequest, random: () -> UInt32 = { UInt32.random(in: 0...UInt32(Int32.max)) }) {
        var seed = random()
        while seed == request.seed { seed = random() }
        seeds[id] = Seed(fingerprint: Self.fingerprint(prompt: request.promptToSend, width: request.width, height: request.height), seed: seed)
    }

    /// Keeps only the seeds whose element still asks for the same picture.
    public mutating func prune(keeping current: [String: String]) {
        seeds = seeds.filter { current[$0.key] == $0.value.fingerprint }
    }

    public func write(to folder: String) throws(OutputError) {
        let entries = seeds.keys.sorted().map { id in
            #"    \#(JSONWriter.quoted(id)): {"fingerprint": "\#(seeds[id]!.fingerprint)", "seed": \#(seeds[id]!.seed)}"#
        }
        let text = "{\n  \"version\": 1,\n  \"seeds\": {\n" + entries.joined(separator: ",\n") + "\n  }\n}\n"
        try AtomicFile.write(Array(text.utf8), to: folder + "/" + Self.fileName)
    }
}
