import Foundation

/// `wsimg generate A.json B.json DIR…`: the worksheets as one job — one progress display, one
/// connection pool, one rate budget, and each picture asked for once however many worksheets want
/// it. Every worksheet is still checked, claimed and written on its own: bad input in one fails
/// that one. One worksheet is a batch of one.
struct BatchRun {
    let commands: [GenerateCommand]
    let environment: [String: String]
    let terminal: TerminalInfo

    func run() async -> Int32 {
        let started = Date()
        guard let first = commands.first else { return ExitCode.usage }
        var codes: [Int32] = []
        var loaded: [(command: GenerateCommand, sheet: GenerateCommand.Loaded)] = []
        for command in commands {
            if let sheet = command.load() { loaded.append((command, sheet)) } else { codes.append(ExitCode.usage) }
        }
        guard let spool = loaded.first?.sheet.layout.store.directory else { return ExitCode.usage }
        let provider: any ImageProvider
        let transport: CurlMultiClient?
        do {
            (provider, transport) = try first.makeProvider(planning: false, spoolDirectory: spool)
        } catch {
            first.reportError("\(error)")
            return ExitCode.usage
        }
        defer { transport?.shutdown() }
        let cache = first.pictureCache(provider)
        var prepared: [(command: GenerateCommand, run: GenerateCommand.Prepared)] = []
        for (command, sheet) in loaded {
            if let run = command.prepare(sheet, provider: provider, cache: cache) {
                prepared.append((command, run))
            } else {
                codes.append(ExitCode.usage)
            }
        }
        // Identical requests (the same picture for the same provider and settings) go out once.
        var unique: [GenerationJob] = []
        var duplicates: [(job: GenerationJob, primary: Int)] = []
        var firstByContent: [String: Int] = [:]
        for (owner, entry) in prepared.enumerated() {
            for job in entry.run.plan.jobs {
                var tagged = job
                tagged.owner = owner
                tagged.store = entry.run.layout.store
                let content = PictureCache.contentKey(provider.cacheKeyFields(for: job.request))
                tagged.contentKey = content
                if let primary = firstByContent[content] {
                    duplicates.append((tagged, primary))
                } else {
                    firstByContent[content] = unique.count
                    unique.append(tagged)
                }
            }
        }
        let options = first.options
        let display = ProgressDisplay(
            style: terminal.progressStyle(options.verbosity), total: unique.count,
            verbose: options.verbosity == .verbose, now: { Date().timeIntervalSince1970 },
            write: { Console.err($0) })
        if provider.name == "together", !unique.isEmpty, let warning = CostEstimate.stepsWarning(options) { display.note("warning: \(warning)") }
        let sharedPace = provider.paceIdentity.flatMap { SharedPace.open(folder: SharedPace.folder(environment: environment), identity: $0) }
        if provider.paceIdentity != nil, sharedPace == nil, !unique.isEmpty {
            display.note("warning: cannot share the rate limit's pace with other wsimg runs here (no lockable state folder); this run paces alone")
        }
        let stop = GenerationEngine.StopSignal()
        let engine = GenerationEngine(
            provider: provider, store: loaded[0].sheet.layout.store, concurrency: options.concurrency,
            policy: options.retryPolicy, sharedPace: sharedPace, events: { display.handle($0) })
        let results = await first.run(engine, jobs: unique, stop: stop, display: display)
        let interrupted = Task.isCancelled
        cache?.keep(results)
        let all = results + Self.shared(duplicates, unique: unique, results: results)
        let duration = Date().timeIntervalSince(started)
        var lines: [String] = []
        var reports: [(String, [WorksheetUpdate.Record])] = []
        for (owner, entry) in prepared.enumerated() {
            let mine = all.filter { $0.job.owner == owner }
            let (code, outcome, summary) = entry.command.finish(
                entry.run, results: mine, stop: stop.current, interrupted: interrupted, duration: duration, display: display)
            codes.append(code)
            summary.problemLines.forEach(display.error)
            lines.append(summary.line)
            reports.append((entry.command.options.worksheet, outcome.records))
        }
        withExtendedLifetime(prepared) {}
        display.finish(summary: lines.joined(separator: "\n"))
        var code = interrupted ? ExitCode.interrupted : codes.max() ?? ExitCode.success
        if let path = options.report {
            let report = RunReport(
                version: CLI.version, provider: provider.name, interrupted: interrupted, duration: duration,
                records: reports.count == 1 ? reports[0].1 : [], worksheets: reports.count == 1 ? [] : reports)
            if let problem = report.write(to: Paths.absolute(path)) {
                display.error(problem)
                if code == ExitCode.success { code = ExitCode.someFailed }
            }
        }
        return code
    }

    /// What became of the requests that other worksheets asked for too: the picture, copied into
    /// their images folder, or the same failure.
    static func shared(
        _ duplicates: [(job: GenerationJob, primary: Int)], unique: [GenerationJob],
        results: [GenerationResult]
    ) -> [GenerationResult] {
        duplicates.map { duplicate in
            let primary = unique[duplicate.primary]
            let result = results.first { $0.job.owner == primary.owner && $0.job.request.id == primary.request.id }
            var status = result?.status ?? .interrupted
            if status == .generated, let from = primary.store, let to = duplicate.job.store {
                let source = from.path(id: primary.request.id, key: primary.key)
                do {
                    try to.write(try RegularFile.read(source, limit: 1 << 30), id: duplicate.job.request.id, key: duplicate.job.key)
                } catch {
                    status = .failed("could not copy the picture from \(source): \(error)")
                }
            }
            return GenerationResult(job: duplicate.job, status: status, attempts: 0, duration: result?.duration ?? 0)
        }
    }
}
