import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// A picture made for an element: the one linked, or one the teacher may pick instead (an earlier
/// picture before `--redo`, or another of `--variants`). Nothing generated is thrown away: candidates
/// stay in the images folder, listed in its manifest, until `--prune` finds them out of date.
package struct Candidate: Sendable, Equatable {
    /// The picture's key (its file is `<element>-<key>.png` in the images folder it was made in).
    package let key: String
    /// The file's name, in the images folder whose manifest lists it.
    package let file: String
    package let seed: UInt32
    /// Made with a seed `--redo` or `--variants` chose (part of the key for some providers).
    package let redone: Bool
    /// The prompt and size it was made for (`RedoManifest.fingerprint`).
    package let fingerprint: String
    /// When it was made (its file written), in seconds since 1970, to the millisecond.
    package let created: Double
    /// The provider's settings it was made with (`ProviderSetting`); empty for pictures listed before 0.5.
    package var settings: [String: String] = [:]
    /// The images folder it is in (whose manifest lists it); not stored, set when read.
    package var folder = ""

    package var path: String { folder + "/" + file }

    package init(key: String, file: String, seed: UInt32, redone: Bool, fingerprint: String, created: Double) {
        self.key = key
        self.file = file
        self.seed = seed
        self.redone = redone
        self.fingerprint = fingerprint
        self.created = created
    }

    /// The candidate a request's picture is, once it exists as `file`.
    package init(request: ImageRequest, key: String, file: String, created: Double) {
        self.init(
            key: key, file: file, seed: request.seed, redone: request.redone, fingerprint: RedoManifest.fingerprint(of: request), created: created)
    }

    package func json() -> String {
        let settings = self.settings.keys.sorted().map { "\(JSONWriter.quoted($0)): \(JSONWriter.quoted(self.settings[$0]!))" }.joined(separator: ", ")
        return #"{"key": "\#(key)", "file": \#(JSONWriter.quoted(file)), "seed": \#(seed), "redone": \#(redone), "fingerprint": "\#(fingerprint)", "created": \#(String(format: "%.3f", created)), "settings": {\#(settings)}}"#
    }

    /// A manifest entry, or nil when any field is missing or out of range (the file is untrusted).
    package init?(_ node: JSONNode) {
        guard let key = node["key"]?.stringValue, CacheKey.isKey(Substring(key)),
            let file = node["file"]?.stringValue, ImageStore.key(inFileName: file) == key, !file.contains("/"), !file.hasPrefix("."),
            let fingerprint = node["fingerprint"]?.stringValue, CacheKey.isKey(Substring(fingerprint)),
            let seed = node["seed"]?.numberValue, seed >= 0, seed <= Double(Int32.max), seed == seed.rounded(),
            let created = node["created"]?.numberValue, created >= 0, created < 1e11
        else { return nil }
        self.init(
            key: key, file: file, seed: UInt32(seed), redone: node["redone"]?.value != .bool(false), fingerprint: fingerprint,
            created: created)
        if case .object(let members)? = node["settings"]?.value {
            for member in members.prefix(16) {
                if let value = member.node.stringValue, member.key.utf8.count <= 64, value.utf8.count <= 2048 { settings[member.key] = value }
            }
        }
    }
}
