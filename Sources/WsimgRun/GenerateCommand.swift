import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

package enum ExitCode {
    package static let success: Int32 = 0
    package static let someFailed: Int32 = 1
    package static let usage: Int32 = 2
    package static let interrupted: Int32 = 130
}

/// `wsimg generate`: worksheet in, validated PNGs and the updated worksheet out.
package struct GenerateCommand {
    package let options: GenerateOptions
    package let environment: [String: String]
    package let terminal: TerminalInfo
    /// Found in a folder rather than named: a JSON file there that is not a worksheet is skipped.
    package var fromFolder = false

    package init(options: GenerateOptions, environment: [String: String], terminal: TerminalInfo) {
        self.options = options
        self.environment = environment
        self.terminal = terminal
    }

    package struct Layout {
        /// nil for stdin.
        package let input: String?
        /// nil for stdout.
        package let output: String?
        package let store: ImageStore

        /// Where the worksheet's relative links resolve from.
        package var inputFolder: String { input.map(Paths.folder) ?? FileSystem.currentDirectoryPath }

        /// The images folders whose choices and candidates apply: the one written to, then the input
        /// worksheet's own (`lesson_images/` for `generate lesson.json -o build/out.json`).
        package var choiceFolders: [String] {
            guard let input else { return [store.directory] }
            let own = Paths.imagesFolder(of: input)
            return own == store.directory ? [own] : [store.directory, own]
        }
    }

    /// Prints the plan (`wsimg prompts`, `generate --dry-run`) without a key, network or any write;
    /// with several worksheets, each one's under its name.
    package func printPlan(_ render: (PlanListing) -> String) -> Int32 {
        let several = options.worksheets.count > 1 || options.worksheets.contains(where: Paths.isFolder)
        let commands = several ? GenerationRun(options: options, environment: environment, terminal: terminal, note: reportError).units : [self]
        guard !commands.isEmpty else {
            reportError(RunInputs.noWorksheets(in: options.worksheets))
            return ExitCode.usage
        }
        guard commands.count > 1 else { return commands[0].printOnePlan(render).code }
        var code = ExitCode.success
        var plans: [GenerationPlan] = []
        for command in commands {
            Console.out("== \(TerminalText.line(command.options.worksheet))\n")
            let (each, plan) = command.printOnePlan(render)
            code = max(code, each)
            if let plan { plans.append(plan) }
        }
        // The grand total, and what all of it costs.
        let entries = plans.flatMap(\.entries)
        let missing = entries.filter { $0.decision == .generate }.count
        let present = entries.filter { $0.decision == .upToDate }.count
        let all = GenerationPlan(entries: entries)
        if let provider = try? makeProvider(planning: true).0 {
            let estimate = CostEstimate(plan: all, options: options, provider: provider.kind, environment: environment)
            Console.out(
                "== All \(plans.count) worksheets: \(entries.count) images, \(present) present, \(missing) to generate"
                    + (missing > 0 ? "; to generate: " + estimate.line : "") + "\n")
        }
        return code
    }

    /// What the next run would plan, knowing the images folders' choices: no key needed, nothing sent,
    /// nothing written. The one plan behind `prompts`, `--dry-run` and `validate --worksheet`'s orphans.
    package struct Preview {
        package let layout: Layout
        package let provider: any ImageProvider
        package let redo: RedoSelection
        package let plan: GenerationPlan
    }

    package func preview() throws -> Preview {
        let layout = resolveLayout()
        let worksheet = try readWorksheet(layout.input)
        let (provider, _) = try makeProvider(planning: true)
        let redo = try RedoSelection(worksheet: worksheet, folders: layout.choiceFolders, ids: options.redo, options: options.requestOptions)
        let plan = GenerationPlan(
            worksheet: worksheet, provider: provider, options: redo.apply(to: options.requestOptions),
            store: layout.store, force: options.force, inputFolder: layout.inputFolder, pictureFolders: layout.choiceFolders
        ).knowing(redo.manifest)
        return Preview(layout: layout, provider: provider, redo: redo, plan: plan)
    }

    package func printOnePlan(_ render: (PlanListing) -> String) -> (code: Int32, plan: GenerationPlan?) {
        do {
            let next = try preview()
            var estimate = CostEstimate(plan: next.plan, options: options, provider: next.provider.kind, environment: environment)
            estimate.rate = knownRate(next.provider)
            if let warning = CostEstimate.stepsWarning(options) { Console.report(.warning(warning)) }
            Console.out(
                render(
                    PlanListing(
                        plan: next.plan, store: next.layout.store, estimate: estimate, providerNote: providerNote(next.provider),
                        manifest: next.redo.manifest, forced: options.force)))
            return (ExitCode.success, next.plan)
        } catch {
            reportError("\(error)")
            return (ExitCode.usage, nil)
        }
    }

    package func run() async -> Int32 {
        if options.dryRun { return printPlan { $0.dryRunText() } }
        // From here on an interruption stops the run cleanly: what is done is kept and linked.
        Interruption.exitsAtOnce.store(false, ordering: .relaxed)
        RunLocks.raiseDescriptorLimit()
        // A run with no worksheets still writes its report, saying so.
        return await GenerationRun(options: options, environment: environment, terminal: terminal, note: reportError).run()
    }

    /// Runs the engine, cancelling it when the `--deadline` passes or the user interrupts, with a
    /// ticker that keeps the progress display alive meanwhile.
    package func run(
        _ engine: GenerationEngine, jobs: [GenerationJob], stop: GenerationEngine.StopSignal,
        display: ProgressDisplay
    ) async -> [GenerationResult] {
        let work = Task { await engine.run(jobs, stop: stop) }
        let ticker = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                display.tick()
            }
        }
        let timer = options.deadline.map { seconds in
            Task {
                try await Task.sleep(for: .seconds(seconds))
                if stop.stop(.deadline(seconds: seconds)) { display.handle(.stopping(reason: "\(GenerationEngine.StopReason.deadline(seconds: seconds))")) }
                work.cancel()
            }
        }
        defer {
            timer?.cancel()
            ticker.cancel()
        }
        return await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            work.cancel()
        }
    }

    /// One run at a time per images folder; a second one waits (saying so) unless `--no-wait`. While
    /// it waits it has nothing to save, so Ctrl-C ends it at once. Returns the lock (nil where the
    /// filesystem cannot lock) and whether another run went first; nil, having said why, when this
    /// run cannot go on.
    package func claimImagesFolder(_ layout: Layout) -> (RunLock?, waited: Bool)? {
        Interruption.exitsAtOnce.store(true, ordering: .relaxed)
        defer { Interruption.exitsAtOnce.store(false, ordering: .relaxed) }
        let folder = layout.store.directory
        do {
            switch try RunLock.acquire(
                in: folder, wait: !options.noWait,
                waiting: { pid in
                    reportError("waiting for another wsimg run (pid \(pid ?? "?")) generating into \(folder)…")
                })
            {
            case .acquired(let lock, let waited):
                return (lock, waited)
            case .busy(let pid):
                reportError("another wsimg run (pid \(pid ?? "?")) is generating into \(folder); without --no-wait this run would wait for it")
                return nil
            case .unsupported(let reason):
                Console.report(.warning("cannot lock \(folder) (\(reason)); runs on this worksheet at the same time may pay for the same pictures"))
                return (nil, false)
            }
        } catch {
            reportError("\(error)")
            return nil
        }
    }

    /// The rate this key was last allowed (shared pace state), when the key is at hand: for the time a
    /// plan will take. Nothing is created or sent.
    package func knownRate(_ provider: any ImageProvider) -> Double? {
        guard provider.kind == .together, let key = try? apiKey(),
            let url = try? ServiceEndpoints.together(base: togetherBase, allowInsecureHTTP: options.allowInsecureHTTP)
        else { return nil }
        return SharedPace.knownRate(
            folder: SharedPace.folder(environment: environment).folder, identity: TogetherProvider.paceIdentity(endpoint: url, apiKey: key))
    }

    /// `TOGETHER_BASE_URL`, else Together's own.
    package var togetherBase: String {
        environment["TOGETHER_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? TogetherProvider.defaultBaseURL
    }

    /// `--provider together (black-forest-labs/FLUX.1-schnell, 4 steps)`: what the plan's statuses mean.
    package func providerNote(_ provider: any ImageProvider) -> String {
        switch provider.kind {
        case .together: "--provider together (\(options.model), \(options.steps) steps)"
        case .remote: "--provider remote (the endpoint's pictures)"
        case .placeholder: "--provider placeholder"
        }
    }

    /// Where the worksheet and its pictures went, each named as the user gave it (absolute when
    /// given absolute): `lesson.json, lesson_images/`. An images folder that does not exist
    /// (everything embedded) is not named.
    package func destination(_ layout: Layout) -> String {
        let worksheet = layout.output == nil ? "stdout" : options.output ?? options.worksheet
        guard Paths.isFolder(layout.store.directory) else { return worksheet }
        return worksheet + ", " + shownImagesFolder(layout)
    }

    /// The images folder as the user would name it: as `--images-dir` gave it, else beside the worksheet
    /// as that was named (`lesson_images/`, `out/lesson_images/`, `/abs/out/lesson_images/`).
    package func shownImagesFolder(_ layout: Layout) -> String {
        if let given = options.imagesDir { return given.hasSuffix("/") ? given : given + "/" }
        // Beside the worksheet written, or in the current folder for stdout (as `resolveLayout` puts it).
        let named = layout.output == nil ? "" : options.output ?? options.worksheet
        let folder = named.contains("/") ? String(named[...named.lastIndex(of: "/")!]) : ""
        return folder + (layout.store.directory as NSString).lastPathComponent + "/"
    }

    package static func exitCode(interrupted: Bool, stop: GenerationEngine.StopReason?, outcome: WorksheetUpdate) -> Int32 {
        if interrupted { return ExitCode.interrupted }
        switch stop {
        case .upstream, .unreachable: return ExitCode.usage
        case .output: return outcome.generatedCount > 0 ? ExitCode.someFailed : ExitCode.usage
        case .deadline, .overloaded: return ExitCode.someFailed
        case nil: return outcome.failures.isEmpty ? ExitCode.success : ExitCode.someFailed
        }
    }

    package func resolveLayout() -> Layout {
        let input = options.readsStdin ? nil : Paths.absolute(options.worksheet)
        let outputName = options.output ?? (options.readsStdin ? "-" : options.worksheet)
        let output: String? = outputName == "-" ? nil : Paths.absolute(outputName)
        let base = output.map(Paths.folder) ?? FileSystem.currentDirectoryPath
        // Reading stdin into stdout needs --images-dir (GenerateOptions checks), so `input` is set here.
        let directory =
            options.imagesDir.map { Paths.absolute($0) }
            ?? Paths.imagesFolder(of: base + "/" + ((output ?? input ?? "worksheet") as NSString).lastPathComponent)
        return Layout(
            input: input, output: output,
            store: ImageStore(directory: directory, urlPrefix: Paths.relative(directory, from: base), linkBase: base))
    }

    package func readWorksheet(_ path: String?) throws(WorksheetError) -> Worksheet {
        let worksheet: Worksheet
        if let path {
            WorksheetFile.recoverInterruptedCopy(of: path) { Console.report($0) }
            worksheet = try Worksheet(contentsOf: path, shownAs: options.worksheet)
        } else {
            worksheet = try Worksheet.fromStandardInput()
        }
        if let warning = Self.noImagesWarning(worksheet) { reportWorksheet(.warning(warning)) }
        for placeholder in worksheet.placeholders where !placeholder.brokenTexts.isEmpty {
            let fields = placeholder.brokenTexts.joined(separator: " and ")
            reportWorksheet(.warning("element \(placeholder.id)'s \(fields) holds half of an emoji (a lone \\u surrogate escape, as a text cut in the middle of one leaves); it is read as \u{FFFD}"))
        }
        return worksheet
    }

    /// `planning`: only to compute cache keys, so no key is needed and nothing will be sent.
    package func makeProvider(planning: Bool, rateReports: RateLimitReports? = nil) throws(ConfigurationError) -> (any ImageProvider, CurlMultiClient?) {
        let endpoint = options.endpoint ?? environment["WSIMG_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        switch options.provider ?? (endpoint == nil ? .together : .remote) {
        case .placeholder:
            return (PlaceholderProvider(), nil)
        case .together:
            let key = planning ? "" : try apiKey()
            let url = try ServiceEndpoints.together(base: togetherBase, allowInsecureHTTP: options.allowInsecureHTTP)
            let client = planning ? nil : try makeClient()
            let provider = TogetherProvider(
                endpoint: url, apiKey: key, model: options.model, steps: options.steps,
                timeout: options.timeout ?? TogetherProvider.defaultTimeout,
                transport: client ?? NoNetwork() as any HTTPTransport,
                allowInsecureHTTP: options.allowInsecureHTTP, rateReports: rateReports)
            return (provider, client)
        case .remote:
            guard let endpoint else { throw .missingEndpoint }
            let url = try ServiceEndpoints.batchRoute(endpoint, allowInsecureHTTP: options.allowInsecureHTTP)
            let token = planning ? nil : try endpointToken()
            let client = planning ? nil : try makeClient()
            let provider = RemoteProvider(
                endpoint: url, token: token, batchSize: options.batchSize,
                timeout: options.timeout ?? RemoteProvider.defaultTimeout,
                transport: client ?? NoNetwork() as any HTTPTransport)
            return (provider, client)
        }
    }

    package func makeClient() throws(ConfigurationError) -> CurlMultiClient {
        CurlMultiClient(maxConnectionsPerHost: options.concurrency, settings: try NetworkSettings(environment: environment))
    }

    package func apiKey() throws(ConfigurationError) -> String {
        let key: String
        if let value = environment["TOGETHER_API_KEY"], !value.trimmingWhitespace().isEmpty {
            key = try Credentials.check(value, source: "TOGETHER_API_KEY")
        } else if let path = environment["TOGETHER_API_KEY_FILE"], !path.isEmpty {
            key = try Credentials.fromFile(path, source: "TOGETHER_API_KEY_FILE") { Console.report(.warning($0)) }
        } else {
            throw .missingAPIKey
        }
        Secrets.register(key)
        return key
    }

    package func endpointToken() throws(ConfigurationError) -> String? {
        guard let value = environment["WSIMG_ENDPOINT_TOKEN"], !value.trimmingWhitespace().isEmpty else { return nil }
        let token = try Credentials.check(value, source: "WSIMG_ENDPOINT_TOKEN")
        Secrets.register(token)
        return token
    }

    /// Writes the updated worksheet: to stdout, a new file, or over the input — through a symlink to its
    /// target, keeping mode and owner, and only from the bytes that were read (the copy is hashed).
    /// When someone changed the worksheet meanwhile, the new links go into their version, as long as
    /// its image elements are the ones this run generated for.
    package func writeWorksheet(_ outcome: WorksheetUpdate, read worksheet: Worksheet, layout: Layout, display: ProgressDisplay) throws(OutputError) {
        let replace: (Worksheet) throws(OutputError) -> Void
        if let output = layout.output {
            let target = WorksheetFile.target(of: output)
            AtomicFile.removeStaleTemporaries(in: Paths.folder(of: target))
            if output == layout.input, !outcome.changedAny { return }
            let inPlace = layout.input.map(WorksheetFile.target(of:)) == target
            replace = { (base) throws(OutputError) in
                try WorksheetFile.replace(
                    target, hardLinks: options.hardLinks,
                    unchanged: { () throws(OutputError) in
                        // An editor's save (a new file renamed over the worksheet) after the copy was checked.
                        if inPlace { try WorksheetFile.stillNames(target, base) }
                    },
                    writing: { (fd) throws(OutputError) in try outcome.write(base, to: fd, path: output) })
            }
        } else {
            replace = { (base) throws(OutputError) in try Self.writeToStandardOutput(outcome, from: base) }
        }
        do {
            try replace(worksheet)
        } catch .changedWhileWriting {
            guard let input = layout.input, let edited = try? Worksheet(contentsOf: input, shownAs: options.worksheet), outcome.sameImages(as: edited)
            else { throw .changedDuringRun(path: options.worksheet) }
            display.note("\(options.worksheet) was edited during the run; the new pictures were linked into the edited version")
            do {
                try replace(edited)
            } catch .changedWhileWriting {
                throw .changedDuringRun(path: options.worksheet)
            }
        }
    }

    /// A worksheet without image elements is most likely not what was meant: say what it has, and
    /// which types come close to `image-placeholder` (`Image-Placeholder`, `image`).
    package static func noImagesWarning(_ worksheet: Worksheet) -> String? {
        guard worksheet.placeholders.isEmpty else { return nil }
        let wanted = "image-placeholder"
        let types = worksheet.elementTypes.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
        let found = types.isEmpty ? "no elements at all" : types.prefix(6).map { "\($0.value) \(TerminalText.safe($0.key, limit: 40))" }.joined(separator: ", ")
        let near = types.map(\.key).filter { $0.lowercased().contains("image") || NearestName.closest(to: $0, in: [wanted]) != nil }
        let hint = near.isEmpty ? "" : "; \(near.prefix(3).map { "\"\(TerminalText.safe($0, limit: 40))\"" }.joined(separator: ", ")) \(near.count == 1 ? "is" : "are") not \"\(wanted)\" (types are exact)"
        return "no image elements (type \"\(wanted)\") to fill: it has \(found)\(hint)"
    }

    /// Stdout gets the new worksheet only once all of it is written and checked: it goes to a private
    /// temporary file first (unlinked at once), so an edit found halfway sends nothing.
    package static func writeToStandardOutput(_ outcome: WorksheetUpdate, from base: Worksheet) throws(OutputError) {
        guard let (fd, path) = AtomicFile.createTemporary(in: Paths.temporaryFolder()) else {
            throw .cannotWrite(path: Paths.temporaryFolder(), reason: AtomicFile.lastError())
        }
        unlink(path)
        defer { close(fd) }
        try outcome.write(base, to: fd, path: "stdout")
        let copied = try WorksheetSource(descriptor: fd).forEachChunk { (chunk) throws(OutputError) in
            if let failure = AtomicFile.writeAll(chunk, to: STDOUT_FILENO) { throw OutputError.cannotWrite(path: "stdout", reason: failure) }
        }
        if let failure = copied { throw .cannotWrite(path: "stdout", reason: failure) }
    }

    /// Errors about one worksheet name it when there are several.
    package func reportWorksheetError(_ message: String) {
        reportError(named(message))
    }

    package func reportWorksheet(_ diagnostic: Diagnostic) {
        Console.report(Diagnostic(severity: diagnostic.severity, text: named(diagnostic.text)))
    }

    /// `message`, with the worksheet it is about when the run has several.
    private func named(_ message: String) -> String {
        options.worksheets.count > 1 && !message.contains(options.worksheet) ? "\(options.worksheet): \(message)" : message
    }

    package func reportError(_ message: String) { Console.report(message) }
}

/// The transport of a provider that is only asked for cache keys.
package struct NoNetwork: HTTPTransport {
    package func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        throw .other("no requests are sent while planning")
    }
}
