import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// Applies `--redo` and the seeds earlier redos left in the images folder to a run's requests.
package struct RedoSelection {
    package var manifest: RedoManifest
    package let changed: Bool
    /// The choices before this run's `--redo`: what the redone elements showed until now.
    package let before: RedoManifest
    /// The elements `--redo` names, by id.
    package let redone: [String]

    /// The seeds for `worksheet`: those kept in `folders` (the images folder written to first, then the
    /// input worksheet's when the run writes elsewhere), and new ones for `ids` (which must name image
    /// elements that ask for a picture).
    package init(worksheet: Worksheet, folders: [String], ids: [String], options: RequestOptions) throws(UsageError) {
        manifest = folders.dropFirst().reduce(RedoManifest.load(from: folders[0])) { $0.merged(with: RedoManifest.load(from: $1)) }
        before = manifest
        var requestOptions = options
        requestOptions.redoSeeds = manifest.redoSeeds
        var redone: [String] = []
        for id in ids {
            let placeholder = try ElementHandle.element(
                id, in: worksheet.placeholders, for: "--redo", allowed: { $0.skipReason == nil && $0.problem == nil })
            manifest.redo(placeholder.id, request: ImageRequest(placeholder, options: requestOptions))
            redone.append(placeholder.id)
        }
        self.redone = redone
        let unpruned = manifest
        let current = worksheet.placeholders.reduce(into: [String: String]()) { fingerprints, placeholder in
            guard placeholder.skipReason == nil, placeholder.problem == nil else { return }
            fingerprints[placeholder.id] = RedoManifest.fingerprint(of: ImageRequest(placeholder, options: RequestOptions(enhancePrompts: options.enhancePrompts)))
        }
        manifest.prune(keeping: current)
        changed = !ids.isEmpty || manifest != unpruned
    }

    /// The seeds as they were before this run's `--redo`.
    package func applyBefore(to options: RequestOptions) -> RequestOptions {
        var options = options
        options.redoSeeds = before.redoSeeds
        return options
    }

    package func apply(to options: RequestOptions) -> RequestOptions {
        var options = options
        options.redoSeeds = manifest.redoSeeds
        return options
    }
}
