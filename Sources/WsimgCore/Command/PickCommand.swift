import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// `wsimg pick WORKSHEET ID N`: links candidate N of element ID (as `wsimg candidates` numbers them)
/// and keeps it for later runs, until the element's prompt or size changes. No request is sent; the
/// worksheet is written as `generate` writes it (`--embed`, `-o`).
public enum PickCommand {
    static let excluded: Set<String> = [
        "--redo", "--variants", "--dry-run", "--force", "--prune", "--recursive", "--output-dir", "--deadline", "--max-wait", "--retries",
        "--backoff", "--timeout", "--concurrency", "--batch-size", "--no-cache", "--cache-dir", "--api-key",
    ]
    public static let specs = GenerateOptions.specs.filter { !excluded.contains($0.longName) }

    public static func options(_ parsed: ParsedArguments) throws(UsageError) -> GenerateOptions {
        guard parsed.positionals.count == 3 else {
            throw UsageError("wsimg pick needs a worksheet, an element and a candidate's number: wsimg pick WORKSHEET ID N ('wsimg candidates WORKSHEET' lists them)")
        }
        let number = parsed.positionals[2]
        guard let value = Int(number), value >= 1 else {
            throw UsageError("the candidate's number is 1 or more, as 'wsimg candidates' lists them, not '\(TerminalText.safe(number))'")
        }
        var worksheetOnly = parsed
        worksheetOnly.positionals = [parsed.positionals[0]]
        var options = try GenerateOptions(worksheetOnly)
        guard !options.readsStdin else { throw UsageError("wsimg pick reads a worksheet file, not stdin") }
        options.pick = GenerateOptions.Pick(element: parsed.positionals[1], number: value)
        return options
    }
}

extension GenerateCommand {
    /// Chooses the picked candidate in `redo`'s manifest and writes it (the images folder is ours).
    func applyPick(_ pick: GenerateOptions.Pick, worksheet: Worksheet, layout: Layout, provider: any ImageProvider, redo: inout RedoSelection) throws {
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
