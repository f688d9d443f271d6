import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// How `wsimg generate` (and `prompts`, `pick`) reads its options into a `GenerateOptions`.
extension GenerateOptions {
    package static let specs: [OptionSpec] = [
        OptionSpec(["-o", "--output"], value: "FILE", help: "write the updated worksheet here ('-' for stdout); default: update WORKSHEET in place", kind: .file),
        OptionSpec(["--output-dir"], value: "DIR", help: "with several worksheets: write each to DIR under its own name (default: in place)", kind: .folder),
        OptionSpec(["--images-dir"], value: "DIR", help: "folder for the PNGs; default: <worksheet name>_images beside the output", kind: .folder),
        OptionSpec(["--embed"], help: "put data:image/png;base64 URLs in the worksheet instead of file paths"),
        OptionSpec(["--force"], help: "regenerate every image, and replace URLs wsimg did not make"),
        OptionSpec(["--recursive"], help: "a folder among the worksheets: its subfolders' *.json files too"),
        OptionSpec(["--prune"], help: "delete the pictures in the images folder that no element uses ('wsimg prompts' lists them)"),
        OptionSpec(
            ["--redo"], value: "ID,…",
            help: "a new picture for these elements (ids as 'wsimg prompts' shows); later runs keep it, the old one stays a candidate"),
        OptionSpec(
            ["--variants"], value: "N",
            help: "N pictures (N requests) for each element this run generates, 1–10: the first is linked, all are candidates ('wsimg candidates')"),
        OptionSpec(
            ["--provider"], value: "NAME", help: "together (default), remote (needs --endpoint) or placeholder (offline pictures, no key)",
            kind: .choices(Provider.allCases.map(\.rawValue))),
        OptionSpec(["--endpoint"], value: "URL", help: "the web app (https://school.example) or its batch route's URL (remote mode)"),
        OptionSpec(["--batch-size"], value: "N", help: "images per request in remote mode, 1-64 (default \(RemoteProvider.defaultBatchSize))"),
        OptionSpec(["--model"], value: "NAME", help: "Together model (default \(TogetherProvider.defaultModel))"),
        OptionSpec(["--steps"], value: "N", help: "diffusion steps, 1-50 (default \(TogetherProvider.defaultSteps))"),
        OptionSpec(["--seed"], value: "N", help: "one seed for every image; default: a seed derived from each prompt"),
        OptionSpec(["--no-enhance"], help: "send prompts as written, without the web app's style suffix"),
        OptionSpec(["-j", "--concurrency"], value: "N", help: "requests (remote mode: batches) in flight at most, 1-64 (default 4)"),
        OptionSpec(["--retries"], value: "N", help: "extra attempts per image after a transient failure, 0-10 (default 2)"),
        OptionSpec(["--timeout"], value: "SECONDS", help: "time limit per request (default 120; 300 per batch in remote mode)"),
        OptionSpec(["--deadline"], value: "SECONDS", help: "stop starting and abandon requests after this long; what is done is kept"),
        OptionSpec(["--max-wait"], value: "SECONDS", help: "longest rate limits (429) or a busy service (503) may hold the run (default 300)"),
        OptionSpec(["--backoff"], value: "SECONDS", help: "wait before the first retry, doubled for each next (default 1)"),
        OptionSpec(["--allow-insecure-http"], help: "allow a plain http:// base URL that is not on this machine"),
        OptionSpec(["--report"], value: "FILE", help: "also write a JSON report of the run to FILE", kind: .file),
        OptionSpec(["--dry-run"], help: "print what would be generated and what skipped; change nothing, send nothing"),
        OptionSpec(["--cache-dir"], value: "DIR", help: "the picture cache shared by all worksheets and runs (default: $WSIMG_CACHE_DIR, else ~/.cache/wsimg)", kind: .folder),
        OptionSpec(["--no-cache"], help: "neither use nor fill the picture cache"),
        OptionSpec(
            ["--hard-links"], value: "MODE",
            help: "a worksheet with other hard links: refuse (default), break (only this name gets the update) or update (every name, in place after a backup)",
            kind: .choices(WorksheetFile.HardLinks.allCases.map(\.rawValue))),
        OptionSpec(["--no-wait"], help: "if another wsimg run is using the same images folder, exit 2 instead of waiting for it"),
        OptionSpec(["-q", "--quiet"], help: "print errors only"),
        OptionSpec(["--no-progress"], help: "print only the summary and errors"),
        OptionSpec(["-v", "--verbose"], help: "also print every failed attempt (with --no-progress too)"),
        OptionSpec(["--strict"], help: "exit 1 when there were warnings (for CI)"),
        OptionSpec(["--api-key"], value: "KEY", help: ""),
        OptionSpec(["-h", "--help"], help: "show this help"),
    ]

    /// `command`: which command's options these are, for the usage line of a missing worksheet.
    package init(_ parsed: ParsedArguments, command: String = "generate") throws(UsageError) {
        if parsed.value("--api-key") != nil {
            throw UsageError("There is no --api-key option: a key on the command line ends up in shell history and process lists. Set TOGETHER_API_KEY, or TOGETHER_API_KEY_FILE to a file holding the key.")
        }
        guard let worksheet = parsed.positionals.first else { throw UsageError("Missing WORKSHEET: wsimg \(command) WORKSHEET [options]") }
        self.init(worksheet: worksheet)
        worksheets = parsed.positionals
        output = parsed.value("--output")
        imagesDir = parsed.value("--images-dir")
        outputDir = parsed.value("--output-dir")
        if worksheets.count > 1 || outputDir != nil {
            if worksheets.contains("-") { throw UsageError("A worksheet from stdin ('-') goes alone: wsimg generate - -o FILE") }
            if output != nil { throw UsageError("-o names one output; for several worksheets use --output-dir DIR") }
            if imagesDir != nil { throw UsageError("--images-dir is for one worksheet; with several, each gets <name>_images beside its output") }
        }
        if readsStdin, imagesDir == nil, output == nil || output == "-" {
            throw UsageError("Reading the worksheet from stdin ('-') needs -o FILE, or --images-dir DIR to write the worksheet to stdout")
        }
        embed = parsed.has("--embed")
        force = parsed.has("--force")
        if let name = parsed.value("--provider") {
            guard let provider = Provider(rawValue: name) else {
                let hint = NearestName.closest(to: name, in: Provider.allCases.map(\.rawValue)).map { " Did you mean \($0)?" } ?? ""
                throw UsageError("Unknown provider '\(name)': use together, remote or placeholder.\(hint)")
            }
            self.provider = provider
        }
        if let model = parsed.value("--model") {
            guard !model.isEmpty else { throw UsageError("--model needs a model name") }
            self.model = model
        }
        steps = try Self.integer(parsed, "--steps", in: 1...50) ?? steps
        if let seed = try Self.integer(parsed, "--seed", in: 0...Int(Int32.max)) { requestOptions.fixedSeed = UInt32(seed) }
        requestOptions.enhancePrompts = !parsed.has("--no-enhance")
        concurrency = try Self.integer(parsed, "--concurrency", in: 1...64) ?? concurrency
        retryPolicy.retries = try Self.integer(parsed, "--retries", in: 0...10) ?? retryPolicy.retries
        timeout = try Self.seconds(parsed, "--timeout", minimum: 0.1)
        if let endpoint = parsed.value("--endpoint") {
            guard !endpoint.isEmpty else { throw UsageError("--endpoint needs a URL") }
            self.endpoint = endpoint
        }
        batchSize = try Self.integer(parsed, "--batch-size", in: 1...64) ?? batchSize
        retryPolicy.baseDelay = try Self.seconds(parsed, "--backoff", minimum: 0) ?? retryPolicy.baseDelay
        deadline = try Self.seconds(parsed, "--deadline", minimum: 0.1)
        retryPolicy.maxWait = try Self.seconds(parsed, "--max-wait", minimum: 0.1) ?? retryPolicy.maxWait
        allowInsecureHTTP = parsed.has("--allow-insecure-http")
        report = parsed.value("--report")
        dryRun = parsed.has("--dry-run")
        noWait = parsed.has("--no-wait")
        cacheDir = parsed.value("--cache-dir")
        noCache = parsed.has("--no-cache")
        prune = parsed.has("--prune")
        recursive = parsed.has("--recursive")
        if let mode = parsed.value("--hard-links") {
            guard let links = WorksheetFile.HardLinks(rawValue: mode) else {
                throw UsageError("--hard-links is refuse, break or update, not '\(mode)'")
            }
            hardLinks = links
        }
        if let ids = parsed.value("--redo") {
            redo = ids.split(separator: ",").map { String(String($0).trimmingWhitespace()) }.filter { !$0.isEmpty }
            guard !redo.isEmpty else { throw UsageError("--redo needs element ids, like --redo 1-2,0-4 (see 'wsimg prompts')") }
        }
        variants = try Self.integer(parsed, "--variants", in: 1...10) ?? variants
        verbose = parsed.has("--verbose")
        strict = parsed.has("--strict")
        if parsed.has("--quiet"), verbose {
            throw UsageError("-q (errors only) and -v (every failed attempt) contradict each other: give one")
        }
        if parsed.has("--quiet") {
            verbosity = .quiet
        } else if parsed.has("--no-progress") {
            verbosity = .summary
        } else if parsed.has("--verbose") {
            verbosity = .verbose
        }
    }

    static func integer(_ parsed: ParsedArguments, _ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = parsed.value(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    static func seconds(_ parsed: ParsedArguments, _ name: String, minimum: Double) throws(UsageError) -> Double? {
        guard let text = parsed.value(name) else { return nil }
        guard let value = Double(text), value.isFinite, value >= minimum, value <= 86_400 else {
            throw UsageError("\(name) must be a number of seconds (at least \(NumberText.plain(minimum))), not '\(text)'")
        }
        return value
    }
}
