import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// `wsimg generate A.json B.json DIR…` as one job. The run owns what the worksheets share — the
/// provider and its connection pool, the pace, the cache, the order its locks are taken in, the
/// display and the report — and checks up front what only the whole run can see (two worksheets
/// writing one file, a report over a worksheet). Each worksheet (`GenerateCommand`) owns only its
/// layout, its plan and its write. One worksheet is a run of one.
package struct GenerationRun {
    package let options: GenerateOptions
    package let units: [GenerateCommand]
    /// Where each unit reads and writes, worked out once.
    package let layouts: [GenerateCommand.Layout]
    package let environment: [String: String]
    package let terminal: TerminalInfo

    /// Each worksheet of the run, from the run's own options.
    package init(options: GenerateOptions, environment: [String: String], terminal: TerminalInfo, note: (String) -> Void) {
        self.options = options
        self.environment = environment
        self.terminal = terminal
        let named = options.worksheets.isEmpty ? [options.worksheet] : options.worksheets
        let inputs = RunInputs.resolve(named, recursive: options.recursive, note: note)
        units = inputs.map { input in
            var each = options
            each.worksheet = input.name
            each.worksheets = inputs.map(\.name)
            if let folder = options.outputDir { each.output = (folder.hasSuffix("/") ? folder : folder + "/") + (input.name as NSString).lastPathComponent }
            var unit = GenerateCommand(options: each, environment: environment, terminal: terminal)
            unit.fromFolder = input.fromFolder
            return unit
        }
        layouts = units.map { $0.resolveLayout() }
    }

    /// What the whole run writes, for `RunInputs.check`: each worksheet's name, input, output and images folder.
    private var writes: [(name: String, input: String?, output: String?, images: String)] {
        zip(units, layouts).map { ($0.options.worksheet, $1.input, $1.output, $1.store.directory) }
    }

    private func reportError(_ message: String) { Console.report(message) }

    package func run() async -> Int32 {
        let started = Date()
        var report = RunReport()
        var code = await execute(into: &report)
        report.duration = Date().timeIntervalSince(started)
        // Never over a worksheet: a report that would land on one was refused, and is not written.
        if let path = options.report, path == "-" || RunInputs.worksheet(namedBy: Paths.absolute(path), in: writes) == nil {
            report.exitCode = code
            if let problem = report.write(to: path == "-" ? "-" : Paths.absolute(path)) {
                reportError(problem)
                if code == ExitCode.success { code = ExitCode.someFailed }
            }
        }
        if options.strict, code == ExitCode.success, Warnings.count > 0 {
            reportError("\(Warnings.count) warning\(Warnings.count == 1 ? "" : "s") and --strict: exit 1")
            code = ExitCode.someFailed
        }
        return code
    }

    /// The run, filling in `report` as it goes; returns the exit code.
    private func execute(into report: inout RunReport) async -> Int32 {
        let started = Date()
        report.worksheets = zip(units, layouts).map { unit, layout in
            RunReport.Sheet(
                worksheet: unit.options.worksheet, output: layout.output.map { Paths.display($0) } ?? "-",
                imagesDir: Paths.display(layout.store.directory))
        }
        func refuse(_ message: String) -> Int32 {
            reportError(message)
            report.stop = .usage(message)
            return ExitCode.usage
        }
        guard let first = units.first else { return refuse(RunInputs.noWorksheets(in: options.worksheets)) }
        // What the environment and the command line ask for is checked before anything is read or sent.
        let cacheLimit: Int
        let provider: any ImageProvider
        let transport: CurlMultiClient?
        let rateReports = RateLimitReports()
        do {
            cacheLimit = try PictureCache.limit(environment: environment)
            // `pick` sends nothing: it needs no key, no token and no connection.
            (provider, transport) = try first.makeProvider(planning: options.pick != nil, rateReports: rateReports)
        } catch {
            return refuse("\(error)")
        }
        report.provider = provider.name
        defer { transport?.shutdown() }
        // What the whole run writes, checked before anything is read or sent; missing folders are made.
        do {
            let reportFile = options.report.flatMap { $0 == "-" ? nil : Paths.absolute($0) }
            if options.report == "-", layouts.contains(where: { $0.output == nil }) {
                throw RunInputs.Conflict(description: "--report - and the worksheet both on stdout: give the report a file")
            }
            try RunInputs.check(writes, report: reportFile, reportShown: options.report)
            try RunInputs.makeFolders(for: layouts.compactMap(\.output) + [reportFile].compactMap { $0 })
        } catch {
            return refuse("\(error)")
        }
        var codes: [Int32] = []
        var loaded: [(unit: GenerateCommand, sheet: GenerateCommand.Loaded)] = []
        var skipped = Set<Int>()
        for (index, unit) in units.enumerated() {
            switch unit.load(layouts[index]) {
            case .loaded(let sheet): loaded.append((unit, sheet))
            case .skipped: skipped.insert(index)
            case .failed(let message):
                report.worksheets[index].error = message
                codes.append(ExitCode.usage)
            }
        }
        // A JSON file in a folder that is not a worksheet is no part of the run.
        report.worksheets = report.worksheets.enumerated().filter { !skipped.contains($0.offset) }.map(\.element)
        guard !loaded.isEmpty else {
            if codes.isEmpty { return refuse(RunInputs.noWorksheets(in: options.worksheets)) }
            return ExitCode.usage
        }
        let cache = pictureCache(provider, limit: cacheLimit)
        let tally = RunTally()
        let display = ProgressDisplay(
            style: terminal.progressStyle(options.verbosity), total: 0,
            verbose: options.verbose, now: { Date().timeIntervalSince1970 },
            write: { Console.err($0) })
        let sharedPace = openSharedPace(provider, display: display)
        let stop = GenerationEngine.StopSignal()
        var outcome = Outcome()
        // Worksheets are taken in groups small enough to hold each one's run lock open at once.
        let groupSize = RunLocks.groupSize()
        var start = 0
        while start < loaded.count {
            let group = Array(loaded[start..<min(loaded.count, start + groupSize)])
            start += group.count
            await runGroup(
                group, provider: provider, cache: cache, pace: sharedPace, rateReports: rateReports, stop: stop, display: display, tally: tally,
                into: &outcome)
            if outcome.interrupted { break }
        }
        codes += outcome.codes
        let duration = Date().timeIntervalSince(started)
        let counted = tally.current
        outcome.total.rateLimited = counted.rateLimited
        outcome.total.waited = min(counted.refusedWait, duration)
        outcome.total.paced = min(counted.pacedWait, duration)
        outcome.total.requestsSent = counted.requests
        outcome.total.picturesAsked = counted.pictures
        outcome.total.cost = CostEstimate.price(options: options, provider: provider.kind, environment: environment).perMP.map { $0 * counted.megapixels }
        var lines = outcome.lines
        if lines.count > 1 {
            lines.append(outcome.total.line(worksheets: lines.count, duration: duration))
        } else if !lines.isEmpty {
            lines[0] += outcome.total.waitNote
        }
        display.finish(summary: lines)
        for (name, records) in outcome.reports {
            if let index = report.worksheets.firstIndex(where: { $0.worksheet == name }) { report.worksheets[index].images = records }
        }
        report.totals = outcome.total
        report.interrupted = outcome.interrupted
        if outcome.interrupted {
            report.stop = .interrupted
        } else if let reason = stop.current {
            report.stop = .engine(reason)
        }
        return outcome.interrupted ? ExitCode.interrupted : codes.max() ?? ExitCode.success
    }

    /// What the groups of a run add up to.
    package struct Outcome {
        package var codes: [Int32] = []
        package var lines: [String] = []
        package var reports: [(String, [WorksheetUpdate.Record])] = []
        package var total = RunSummary.Total()
        package var interrupted = false
    }

    /// Claims, plans, generates and writes one group of worksheets.
    private func runGroup(
        _ group: [(unit: GenerateCommand, sheet: GenerateCommand.Loaded)], provider: any ImageProvider,
        cache: PictureCache?, pace: SharedPace?, rateReports: RateLimitReports, stop: GenerationEngine.StopSignal, display: ProgressDisplay,
        tally: RunTally,
        into outcome: inout Outcome
    ) async {
        let started = Date()
        // Locks in one order for every process (by the images folder's real path), so two runs
        // taking the same worksheets in another order cannot each hold what the other waits for.
        // Waiting for another run's lock blocks: off Swift's cooperative threads.
        let folders = group.map { entry in entry.unit.needsClaim(entry.sheet, provider: provider) ? entry.sheet.layout.store.directory : nil }
        let claimants = group.map { ($0.unit, $0.sheet.layout) }
        let claims = await OffPool.run {
            RunLocks.claim(folders, claim: { index in claimants[index].0.claimImagesFolder(claimants[index].1) })
        }
        var prepared: [(unit: GenerateCommand, run: GenerateCommand.Prepared)] = []
        for (index, entry) in group.enumerated() {
            if case .refused = claims[index] {
                outcome.codes.append(ExitCode.usage)
                continue
            }
            if let run = entry.unit.prepare(entry.sheet, provider: provider, cache: cache, claim: claims[index].held) {
                prepared.append((entry.unit, run))
            } else {
                outcome.codes.append(ExitCode.usage)
            }
        }
        let (unique, duplicates) = Self.distinctJobs(
            prepared.map(\.run), names: prepared.map { TerminalText.safe($0.unit.options.worksheet) }, several: units.count > 1, provider: provider)
        display.expect(options.pick == nil ? unique.count : 0)
        if options.variants > 1, unique.isEmpty, options.pick == nil {
            display.note("--variants: every picture is there, so none were made; `--redo ID --variants \(options.variants)` makes \(options.variants) new ones of an element")
        }
        if provider.kind == .together, !unique.isEmpty, let warning = CostEstimate.stepsWarning(options) { display.warn(warning) }
        let engine = GenerationEngine(
            provider: provider, store: prepared.first?.run.layout.store ?? group[0].sheet.layout.store,
            concurrency: options.concurrency, policy: options.retryPolicy, sharedPace: pace, rateReports: rateReports,
            events: { event in
                tally.note(event)
                display.handle(event)
            })
        // `wsimg pick` links what exists; it never sends a request.
        let results =
            options.pick == nil
            ? await first.run(engine, jobs: unique, stop: stop, display: display)
            : unique.map { GenerationResult(job: $0, status: .failed(.notPicked), attempts: 0, duration: 0) }
        let interrupted = Task.isCancelled
        cache?.keep(results)
        let all = results + Self.shared(duplicates, unique: unique, results: results)
        let duration = Date().timeIntervalSince(started)
        for (owner, entry) in prepared.enumerated() {
            let mine = all.filter { $0.job.owner == owner }
            let (code, update, summary) = entry.unit.finish(
                entry.run, results: mine, stop: stop.current, interrupted: interrupted, duration: duration, display: display)
            outcome.codes.append(code)
            summary.problemLines.forEach(display.error)
            outcome.lines.append(summary.line)
            outcome.total.add(update, fromCache: entry.run.fromCache)
            outcome.reports.append((entry.unit.options.worksheet, update.records))
        }
        withExtendedLifetime(prepared) {}
        withExtendedLifetime(claims) {}
        outcome.interrupted = outcome.interrupted || interrupted
    }

    private var first: GenerateCommand { units[0] }

    /// Identical requests (the same picture for the same provider and settings) go out once; each
    /// job is streamed into the images folder it will be kept in.
    package static func distinctJobs(
        _ prepared: [GenerateCommand.Prepared], names: [String], several: Bool, provider: any ImageProvider
    ) -> (unique: [GenerationJob], duplicates: [(job: GenerationJob, primary: Int)]) {
        var unique: [GenerationJob] = []
        var duplicates: [(job: GenerationJob, primary: Int)] = []
        var firstByContent: [String: Int] = [:]
        for (owner, run) in prepared.enumerated() {
            for job in run.plan.jobs + run.variants {
                var tagged = GenerationJob(request: job.request, key: job.key)
                tagged.request.spoolFolder = run.layout.store.directory
                tagged.owner = owner
                tagged.store = run.layout.store
                if several { tagged.worksheet = names[owner] }
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
        return (unique, duplicates)
    }

    /// The picture cache, unless `--no-cache`, there is no place for it, or it cannot be used safely
    /// (then it is as if there were none, with a warning). Placeholder pictures are not worth caching.
    package func pictureCache(_ provider: any ImageProvider, limit: Int) -> PictureCache? {
        guard provider.kind != .placeholder,
            let root = StateFolders.cache(option: options.cacheDir, disabled: options.noCache, environment: environment)
        else { return nil }
        let cache = PictureCache(root: root, limit: limit)
        if let problem = cache.problem() {
            Console.report(.warning("not using the picture cache \(Paths.display(root)): \(problem)"))
            return nil
        }
        return cache
    }

    /// The pace shared with other runs on the same key, or nil (this run paces alone, saying why).
    package func openSharedPace(_ provider: any ImageProvider, display: ProgressDisplay) -> SharedPace? {
        guard let identity = provider.paceIdentity else { return nil }
        let place = SharedPace.folder(environment: environment)
        do {
            return try SharedPace.opening(folder: place.folder, privateFrom: place.privateFrom, identity: identity)
        } catch {
            display.warn("cannot share the rate limit's pace with other wsimg runs (\(error)); this run paces alone")
            return nil
        }
    }

    /// What became of the requests that other worksheets asked for too: the picture, copied into
    /// their images folder, or the same failure.
    package static func shared(
        _ duplicates: [(job: GenerationJob, primary: Int)], unique: [GenerationJob],
        results: [GenerationResult]
    ) -> [GenerationResult] {
        duplicates.map { duplicate in
            let primary = unique[duplicate.primary]
            let result = results.first { $0.job.owner == primary.owner && $0.job.request.id == primary.request.id && $0.job.key == primary.key }
            var status = result?.status ?? .interrupted
            if status == .generated, let from = primary.store, let to = duplicate.job.store {
                let source = from.path(id: primary.request.id, key: primary.key)
                do {
                    try to.store(.bytes(try RegularFile.read(source, limit: 1 << 30)), id: duplicate.job.request.id, key: duplicate.job.key)
                } catch {
                    status = .failed(.own("could not copy the picture from \(source): \(error)"))
                }
            }
            return GenerationResult(job: duplicate.job, status: status, attempts: 0, duration: result?.duration ?? 0)
        }
    }
}
