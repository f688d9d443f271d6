import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Each element's candidates as the teacher sees them: numbered from 1 (the oldest), the linked one
/// marked. Read from a plan (so only pictures of the element's current prompt and size count) and
/// the images folders' manifests; a linked picture made before candidates were listed counts too.
package struct CandidateListing: Sendable {
    package struct Element: Sendable {
        package let placeholder: Placeholder
        package let request: ImageRequest
        package let candidates: [Candidate]
        /// The number (from 1) of the candidate the worksheet links, if it links one.
        package let linked: Int?
        /// Per candidate, the settings it was made with that differ from this run's (it cannot be
        /// picked without them).
        package let otherSettings: [[String]]
    }

    package let elements: [Element]
    /// Every image element of the worksheet, in document order: what `#N` counts.
    package let placeholders: [Placeholder]

    /// The element's `#N`.
    package func number(of placeholder: Placeholder) -> Int { ElementHandle.number(of: placeholder, in: placeholders) }

    package init(plan: GenerationPlan, manifest: RedoManifest, store: ImageStore, linksFrom folder: String, folders: [String]) {
        let listed = plan.madeCandidates(in: folders)
        placeholders = plan.entries.map(\.placeholder)
        elements = plan.entries.compactMap { entry in
            guard let request = entry.request else { return nil }
            let id = entry.placeholder.id
            var candidates = manifest.candidates(of: id, fingerprint: RedoManifest.fingerprint(of: request))
                .filter { PNGValidator.quickCheck(fileAt: $0.path, width: request.width, height: request.height) }
            // The picture linked now, when no run listed it yet (made by wsimg before 0.5).
            for (owner, current) in listed where owner == id && !candidates.contains(where: { $0.key == current.key }) {
                candidates.append(current)
                candidates.sort { $0.created < $1.created }
            }
            let linkedKey = entry.placeholder.url.flatMap { url in
                PictureMark.key(inDataURL: url.head)
                    ?? url.text.flatMap { store.picture(inURL: $0)?.key ?? ImageStore.picture(atLink: $0, from: folder)?.key }
            }
            let linked = linkedKey.flatMap { key in candidates.firstIndex { $0.key == key }.map { $0 + 1 } }
            return Element(
                placeholder: entry.placeholder, request: request, candidates: candidates, linked: linked,
                otherSettings: candidates.map { ProviderSetting.differing(recorded: $0.settings, current: plan.settings) })
        }
    }

    /// The candidates of the elements `names` (ids, positions or `#N`), or of all; throws for a name
    /// that is no image element.
    package func selecting(_ names: [String]) throws(UsageError) -> [Element] {
        guard !names.isEmpty else { return elements }
        return try names.map { name throws(UsageError) in
            let placeholder = try ElementHandle.element(
                name, in: placeholders, for: "element", allowed: { placeholder in elements.contains { $0.placeholder.id == placeholder.id } })
            return elements.first { $0.placeholder.id == placeholder.id }!
        }
    }

    /// "3 min ago", for a listing.
    package static func age(of candidate: Candidate, now: Double = Date().timeIntervalSince1970) -> String {
        let seconds = max(0, now - candidate.created)
        switch seconds {
        case ..<60: return "\(Int(seconds)) s ago"
        case ..<3600: return "\(Int(seconds / 60)) min ago"
        case ..<86_400: return "\(Int(seconds / 3600)) h ago"
        default: return "\(Int(seconds / 86_400)) days ago"
        }
    }

    package static func isoTime(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: seconds.rounded(.down)))
    }
}
