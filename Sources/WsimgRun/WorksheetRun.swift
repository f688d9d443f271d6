import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// One worksheet of a run: read, checked and planned before the engine starts, written after it.
extension GenerateCommand {
    package struct Prepared {
        package let layout: Layout
        package var worksheet: Worksheet
        package var plan: GenerationPlan
        package let lock: RunLock?
        package let fromCache: Int
        /// The choices and candidates of its elements.
        package var redo: RedoSelection
        /// `--variants`: the other pictures of the elements it generates.
        package var variants: [GenerationJob] = []
    }

    /// The worksheet as read, before any key or request is needed.
    package struct Loaded {
        package let layout: Layout
        package let worksheet: Worksheet
    }

    package enum LoadOutcome {
        case loaded(Loaded)
        /// A JSON file in a folder that is not a worksheet: left out, with a note.
        case skipped
        /// Said already (the message, for the report).
        case failed(String)
    }

    /// Reads and checks the worksheet and its outputs (`layout`, as `resolveLayout` gives it); reports its own errors.
    package func load(_ layout: Layout) -> LoadOutcome {
        do {
            let worksheet = try readWorksheet(layout.input)
            try OutputPreflight.check(output: layout.output, report: options.report.flatMap { $0 == "-" ? nil : Paths.absolute($0) })
            if let output = layout.output, options.hardLinks == .refuse, case let names = WorksheetFile.linkCount(WorksheetFile.target(of: output)), names > 1 {
                throw OutputError.cannotWrite(
                    path: options.output ?? options.worksheet,
                    reason:
                        "it has \(names) hard links, and no way of updating it keeps both them and the file whole if wsimg is killed mid-write. Give --hard-links break (only this name gets the new version, atomically), --hard-links update (every name, written in place after a backup that the next run restores from if needed), or -o NEW.json"
                )
            }
            return .loaded(Loaded(layout: layout, worksheet: worksheet))
        } catch let error as WorksheetError where fromFolder && error.isNotAWorksheet {
            reportError("skipping \(TerminalText.safe(options.worksheet)): \(error)")
            return .skipped
        } catch WorksheetError.notJSON(let syntax) where layout.input != nil {
            // Where it is, as a compiler would say: file:line:column, the line, a caret.
            let lines = SyntaxExcerpt.lines(for: syntax, in: layout.input!, shownAs: options.worksheet)
            reportError("\(lines[0]) (the worksheet is not valid JSON)")
            for line in lines.dropFirst() { Console.err(line + "\n") }
            return .failed("\(WorksheetError.notJSON(syntax))")
        } catch WorksheetError.unreadable(let path, let reason) where reason == RegularFile.Problem.missing.description {
            let near = layout.input.flatMap(Self.nearName(of:)).map { ". Did you mean \(TerminalText.safe($0))?" } ?? ""
            reportWorksheetError("\(WorksheetError.unreadable(path: path, reason: reason))\(near)")
            return .failed("\(WorksheetError.unreadable(path: path, reason: reason))")
        } catch {
            reportWorksheetError("\(error)")
            return .failed("\(error)")
        }
    }

    /// Whether this worksheet's images folder must be claimed: it has something to generate, to
    /// extract or to redo.
    package func needsClaim(_ loaded: Loaded, provider: any ImageProvider) -> Bool {
        if options.pick != nil { return true }
        guard
            let redo = try? RedoSelection(
                worksheet: loaded.worksheet, folders: loaded.layout.choiceFolders, ids: options.redo, options: options.requestOptions)
        else { return false }
        let plan = GenerationPlan(
            worksheet: loaded.worksheet, provider: provider, options: redo.apply(to: options.requestOptions),
            store: loaded.layout.store, force: options.force, inputFolder: loaded.layout.inputFolder, pictureFolders: loaded.layout.choiceFolders)
        // Pruning deletes files: only under the folder's lock, so no other run's new picture goes.
        let pruning = options.prune && FileSystem.fileExists(atPath: loaded.layout.store.directory)
        return !plan.jobs.isEmpty || (!options.embed && plan.entries.contains(where: \.onlyEmbedded)) || redo.changed || pruning
    }

    /// Everything else before generating, with the images folder claimed by the run when it needed
    /// to be (`claim`): the plan made (with pictures from an embedded copy or the cache). Reports its
    /// own errors; nil when this worksheet cannot go on.
    package func prepare(_ loaded: Loaded, provider: any ImageProvider, cache: PictureCache?, claim: (RunLock?, waited: Bool)?) -> Prepared? {
        let layout = loaded.layout
        var worksheet = loaded.worksheet
        var redo: RedoSelection
        do {
            redo = try RedoSelection(worksheet: worksheet, folders: layout.choiceFolders, ids: options.redo, options: options.requestOptions)
        } catch {
            reportWorksheetError("\(error)")
            return nil
        }
        var lock: RunLock?
        if let (claimed, waited) = claim {
            lock = claimed
            do {
                // The run before us may have rewritten the worksheet: start from its version.
                if waited, let input = layout.input {
                    worksheet = try readWorksheet(input)
                }
                try layout.store.prepare()
                if !redo.redone.isEmpty {
                    // What the redone elements showed until now stays theirs to pick again.
                    let shown = GenerationPlan(
                        worksheet: worksheet, provider: provider, options: redo.applyBefore(to: options.requestOptions), store: layout.store,
                        force: false, inputFolder: layout.inputFolder, pictureFolders: layout.choiceFolders)
                    for (id, candidate) in shown.madeCandidates(in: layout.choiceFolders, only: Set(redo.redone)) {
                        redo.manifest.record(candidate, for: id)
                    }
                }
                if redo.changed { try redo.manifest.write(to: layout.store.directory) }
                if let pick = options.pick { try applyPick(pick, worksheet: worksheet, layout: layout, provider: provider, redo: &redo) }
            } catch {
                reportWorksheetError("\(error)")
                return nil
            }
        }
        // Planned once the folder is ours: what a run before us made is there now.
        var plan = GenerationPlan(
            worksheet: worksheet, provider: provider, options: redo.apply(to: options.requestOptions),
            store: layout.store, force: options.force, inputFolder: layout.inputFolder, pictureFolders: layout.choiceFolders
        ).knowing(redo.manifest)
        if !options.embed, plan.entries.contains(where: \.onlyEmbedded) { plan = plan.extractingEmbedded(from: worksheet.source, into: layout.store) }
        var fromCache = 0
        // --force means new pictures: the cache is not asked.
        if let cache, !plan.jobs.isEmpty, !options.force {
            (plan, fromCache) = plan.fillingFromCache(cache, provider: provider, store: layout.store)
        }
        return Prepared(
            layout: layout, worksheet: worksheet, plan: plan, lock: lock, fromCache: fromCache, redo: redo,
            variants: plan.variantJobs(options.variants, provider: provider))
    }

    /// Everything after generating: the worksheet written, replaced pictures removed; returns the
    /// exit code, the outcome and the summary for this worksheet.
    package func finish(
        _ prepared: Prepared, results: [GenerationResult], stop: GenerationEngine.StopReason?, interrupted: Bool,
        duration: Double, display: ProgressDisplay
    ) -> (code: Int32, outcome: WorksheetUpdate, summary: RunSummary) {
        let outcome = WorksheetUpdate(
            plan: prepared.plan, results: results, store: prepared.layout.store, embed: options.embed,
            unfinishedReason: stop.map { "not finished: \($0)" } ?? "not started (interrupted)")
        var code = Self.exitCode(interrupted: interrupted, stop: stop, outcome: outcome)
        let rerunHelps = interrupted || stop?.rerunHelps != false
        // Exit 2 means nothing was made and nothing is written (no copy without links for make to
        // take as up to date, no empty images folder).
        if code == ExitCode.usage, !outcome.changedAny, outcome.generatedCount == 0 {
            prepared.lock?.removeFolderIfUnused()
            let summary = RunSummary(
                outcome: outcome, duration: duration, interrupted: interrupted, destination: "nothing written", fromCache: prepared.fromCache,
                rerunHelps: rerunHelps)
            return (code, outcome, summary)
        }
        var written = true
        do {
            try writeWorksheet(outcome, read: prepared.worksheet, layout: prepared.layout, display: display)
            let manifest = recordCandidates(prepared, results: results)
            let variantKeys = Set(prepared.variants.map(\.key))
            let variants = results.filter { $0.status == .generated && variantKeys.contains($0.job.key) }.count
            if variants > 0 {
                display.note(
                    "\(variants) more candidate\(variants == 1 ? "" : "s") made: `wsimg candidates \(TerminalText.safe(options.worksheet))` lists them, `wsimg pick` links one")
            }
            outcome.removeSupersededFiles(keeping: manifest)
            if options.prune { prune(prepared, manifest: manifest, display: display) }
        } catch {
            written = false
            display.error("\(error)")
            code = outcome.generatedCount > 0 || error == .changedDuringRun(path: options.worksheet) ? ExitCode.someFailed : ExitCode.usage
        }
        // Only a worksheet that was written is named as where things went.
        let summary = RunSummary(
            outcome: outcome, duration: duration, interrupted: interrupted,
            destination: written ? destination(prepared.layout) : "\(options.worksheet) NOT written (see above)",
            fromCache: prepared.fromCache, rerunHelps: rerunHelps)
        return (code, outcome, summary)
    }

    /// Lists every picture this run linked or made as a candidate of its element, in the images
    /// folder's manifest (under its lock); returns the manifest as it now is.
    package func recordCandidates(_ prepared: Prepared, results: [GenerationResult]) -> RedoManifest {
        var manifest = prepared.redo.manifest
        guard prepared.lock != nil else { return manifest }
        for (id, candidate) in prepared.plan.madeCandidates(results: results, in: prepared.layout.choiceFolders) {
            manifest.record(candidate, for: id)
        }
        if manifest != prepared.redo.manifest {
            do {
                try manifest.write(to: prepared.layout.store.directory)
            } catch {
                Console.report(.warning("\(error); `wsimg candidates` will not list this run's pictures"))
            }
        }
        return manifest
    }

    /// `--prune`: deletes the pictures no element uses (linked, or a candidate of its current prompt),
    /// once the worksheet is written, and drops the candidates that went with them (and says how many).
    package func prune(_ prepared: Prepared, manifest: RedoManifest, display: ProgressDisplay) {
        guard prepared.lock != nil else { return }
        let orphans = prepared.plan.knowing(manifest).orphans(in: prepared.layout.store)
        let deleted = orphans.filter { unlink($0) == 0 }.count
        var pruned = manifest
        let current = prepared.plan.entries.reduce(into: [String: String]()) { found, entry in
            if let request = entry.request { found[entry.placeholder.id] = RedoManifest.fingerprint(of: request) }
        }
        pruned.pruneCandidates(keeping: current, in: prepared.layout.store.directory)
        if pruned != manifest { try? pruned.write(to: prepared.layout.store.directory) }
        if deleted > 0 { display.note("deleted \(deleted) picture\(deleted == 1 ? "" : "s") no element uses from \(shownImagesFolder(prepared.layout))") }
    }

    /// A file in the same folder whose name differs only in case, or by a typo, from a missing one's.
    package static func nearName(of missing: String) -> String? {
        let folder = Paths.folder(of: missing)
        let name = (missing as NSString).lastPathComponent
        guard let names = try? FileSystem.contentsOfDirectory(atPath: folder) else { return nil }
        let candidates = names.filter { !$0.hasPrefix(".") }
        let match = candidates.first { $0.lowercased() == name.lowercased() } ?? NearestName.closest(to: name, in: candidates.filter { $0.hasSuffix(".json") })
        guard let match else { return nil }
        return Paths.relative(folder + "/" + match, from: FileSystem.currentDirectoryPath)
    }
}
