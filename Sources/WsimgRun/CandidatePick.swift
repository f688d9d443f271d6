import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

extension GenerateCommand {
    /// Chooses the picked candidate in `redo`'s manifest and writes it (the images folder is ours).
    package func applyPick(_ pick: GenerateOptions.Pick, worksheet: Worksheet, layout: Layout, provider: any ImageProvider, redo: inout RedoSelection) throws {
        let listing = candidateListing(worksheet, layout: layout, provider: provider, redo: redo)
        guard let element = try listing.selecting([pick.element]).first else { return }
        let id = TerminalText.safe(element.placeholder.id)
        guard pick.number <= element.candidates.count else {
            let count = element.candidates.count
            throw UsageError(
                "\(id) has \(count == 0 ? "no candidates" : count == 1 ? "1 candidate" : "\(count) candidates"), not \(pick.number); `wsimg candidates \(TerminalText.safe(options.worksheet)) \(id)` lists them")
        }
        let candidate = element.candidates[pick.number - 1]
        // Chosen as made: with its own seed, or as a redo's; the key says which one the next run asks for.
        for redone in [candidate.redone, !candidate.redone] {
            var manifest = redo.manifest
            var chosen = Candidate(
                key: candidate.key, file: candidate.file, seed: candidate.seed, redone: redone, fingerprint: candidate.fingerprint,
                created: candidate.created)
            chosen.settings = candidate.settings
            manifest.choose(chosen, for: element.placeholder.id)
            var requestOptions = options.requestOptions
            requestOptions.redoSeeds = manifest.redoSeeds
            guard provider.cacheKey(for: ImageRequest(element.placeholder, options: requestOptions)) == candidate.key else { continue }
            redo.manifest = manifest
            try manifest.write(to: layout.store.directory)
            if options.verbosity != .quiet {
                let file = Paths.relative(candidate.path, from: FileSystem.currentDirectoryPath)
                Console.err(TerminalText.line("\(id): candidate \(pick.number) of \(element.candidates.count) chosen (\(file))") + "\n")
            }
            return
        }
        let differing = ProviderSetting.differing(recorded: candidate.settings, current: provider.settings)
        guard differing.isEmpty else {
            let made = differing.map { "\($0) \(TerminalText.safe(candidate.settings[$0] ?? "(none)"))" }.joined(separator: ", ")
            throw UsageError("candidate \(pick.number) of \(id) was made with \(made), not this run's: give the same to pick it")
        }
        throw UsageError(
            "candidate \(pick.number) of \(id) was made with other settings than this run's (--provider, --model, --steps, --seed, TOGETHER_BASE_URL or --endpoint): give the ones it was made with")
    }
}
