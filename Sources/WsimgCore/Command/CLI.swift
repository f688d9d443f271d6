import Foundation

/// Dispatches `wsimg COMMAND …` and returns the process's exit code.
public enum CLI {
    public static let version = Version.current

    static let commands = ["generate", "prompts", "validate", "preview", "help"]

    static let promptsSpecs = [OptionSpec(["--json"], help: "print JSON instead of text")]
        + GenerateOptions.specs.filter { !["--report", "--dry-run", "--api-key", "--redo"].contains($0.longName) }

    public static func run(_ arguments: [String], environment: [String: String]) async -> Int32 {
        guard let first = arguments.first else {
            Console.err(generalHelp)
            return ExitCode.usage
        }
        switch first {
        case "--version", "-V", "version":
            Console.out("wsimg \(version)\n")
            return ExitCode.success
        case "--help", "-h":
            Console.out(generalHelp)
            return ExitCode.success
        case "help":
            return help(arguments.dropFirst().first)
        case "prompts":
            do {
                let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), options: promptsSpecs)
                if parsed.has("--help") { return printHelp("prompts") }
                let command = GenerateCommand(options: try GenerateOptions(parsed), environment: environment,
                                              terminal: TerminalInfo(isTerminal: false))
                return command.printPlan { parsed.has("--json") ? $0.json() : $0.promptsText() }
            } catch {
                return usageError(error.message)
            }
        case "validate":
            do {
                let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), options: ValidateCommand.specs)
                if parsed.has("--help") { return printHelp("validate") }
                return try ValidateCommand(parsed).run()
            } catch {
                return usageError(error.message)
            }
        case "preview":
            do {
                let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), options: PreviewCommand.specs)
                if parsed.has("--help") { return printHelp("preview") }
                return try PreviewCommand(parsed).run()
            } catch {
                return usageError(error.message)
            }
        case "generate":
            let rest = Array(arguments.dropFirst())
            do {
                let parsed = try ArgumentParser.parse(rest, options: GenerateOptions.specs)
                if parsed.has("--help") { return printHelp("generate") }
                let options = try GenerateOptions(parsed)
                let command = GenerateCommand(options: options, environment: environment,
                                              terminal: TerminalInfo.stderr(environment: environment))
                return await command.run()
            } catch {
                return usageError(error.message)
            }
        default:
            if first.hasPrefix("-") {
                return usageError("Unknown option \(first). Options go after the command: wsimg generate WORKSHEET \(first)")
            }
            let hint = ArgumentParser.closest(to: first, in: commands).map { " Did you mean '\($0)'?" } ?? ""
            return usageError("Unknown command '\(first)'.\(hint) Run 'wsimg help' for the list of commands.")
        }
    }

    static func help(_ topic: String?) -> Int32 {
        guard let topic else {
            Console.out(generalHelp)
            return ExitCode.success
        }
        guard commands.contains(topic), topic != "help" else {
            let hint = ArgumentParser.closest(to: topic, in: commands).map { " Did you mean '\($0)'?" } ?? ""
            return usageError("No help for '\(topic)'.\(hint)")
        }
        return printHelp(topic)
    }

    static func printHelp(_ command: String) -> Int32 {
        switch command {
        case "prompts": Console.out(promptsHelp)
        case "validate": Console.out(validateHelp)
        case "preview": Console.out(previewHelp)
        default: Console.out(generateHelp)
        }
        return ExitCode.success
    }

    static func optionRows(_ specs: [OptionSpec]) -> String {
        let rows = specs.filter { !$0.help.isEmpty }.map { spec -> (String, String) in
            (spec.names.joined(separator: ", ") + (spec.value.map { " " + $0 } ?? ""), spec.help)
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { "  " + $0.0.padded(width + 2) + $0.1 }.joined(separator: "\n")
    }

    static var promptsHelp: String {
        """
        Usage: wsimg prompts WORKSHEET [--json] [generate options]

        Lists every image request of WORKSHEET: id, size as generated, status (present: a valid
        picture for this exact request exists; missing; kept: its url was not made by wsimg;
        invalid), caption and prompt. Needs no key and sends nothing. The generate options that
        change what is generated (--provider, --model, --steps, --seed, --no-enhance, --endpoint,
        --images-dir, -o) change the statuses the same way.

        Options:
        \(optionRows(promptsSpecs.filter { ["--json", "--help"].contains($0.longName) }))

        """
    }

    static var previewHelp: String {
        """
        Usage: wsimg preview WORKSHEET [-o FILE.html]

        Writes one self-contained HTML page (pictures inlined, no external assets; open it from
        file:// in any browser) with every image element in worksheet order, grouped by page:
        the picture, or a box saying it is missing or invalid, with its id, caption, size and prompt.

        Options:
        \(optionRows(PreviewCommand.specs))

        """
    }

    static var validateHelp: String {
        """
        Usage: wsimg validate PATH… [--worksheet FILE]

        Decodes every PNG (files, or *.png in folders) fully with libpng and prints one line per
        problem on stdout.

        Options:
        \(optionRows(ValidateCommand.specs))

        Exit codes:
          0  every image is valid
          1  some are not (each listed)
          2  usage error or unreadable worksheet

        """
    }

    static func usageError(_ message: String) -> Int32 {
        Console.err(TerminalText.line("wsimg: \(message)") + "\n")
        return ExitCode.usage
    }

    static let generalHelp = """
    wsimg \(version): generate the pictures of a worksheet with FLUX.1-schnell.

    Usage:
      wsimg generate WORKSHEET [options]   generate missing pictures and link them from the worksheet
      wsimg prompts WORKSHEET [--json]     list the image requests and which pictures exist (no key needed)
      wsimg validate PATH… [--worksheet F] check PNG files and a worksheet's pictures
      wsimg preview WORKSHEET [-o F.html]  one offline HTML page showing every picture
      wsimg help [COMMAND]                 show help for a command
      wsimg --version                      show the version

    Run 'wsimg help COMMAND' for a command's options and environment variables.
    Exit codes: 0 all good, 1 some images failed (or are invalid), 2 usage, input or
    configuration error, 130 interrupted.

    """

    static var generateHelp: String {
        let options = optionRows(GenerateOptions.specs)
        return """
        Usage: wsimg generate WORKSHEET [options]

        Reads WORKSHEET (JSON with pages[].elements[], or '-' for stdin), generates a PNG for
        every image-placeholder element's imagePrompt, and sets each element's properties.url.
        Pictures already present for the same request are not generated again; elements
        without a prompt are skipped.

        Options:
        \(options)

        Environment:
          TOGETHER_API_KEY       Together AI key (required with --provider together)
          TOGETHER_API_KEY_FILE  file holding the key, read when TOGETHER_API_KEY is unset
          TOGETHER_BASE_URL      API base URL, with or without /v1
                                 (default \(TogetherProvider.defaultBaseURL))
          WSIMG_ENDPOINT         the web app's URL or its batch route; like --endpoint
          WSIMG_ENDPOINT_TOKEN   sent as 'Authorization: Bearer …' to an endpoint that requires it
          CURL_CA_BUNDLE         PEM file of trusted CAs (a school's TLS-inspecting proxy);
          SSL_CERT_FILE, SSL_CERT_DIR  likewise, as curl and Together's SDK read them
          https_proxy, http_proxy, ALL_PROXY, NO_PROXY
                                 proxies, as curl reads them; never used for loopback
          WSIMG_PRICE_PER_MP     dollars per megapixel for the cost estimate
          COLUMNS                width of the progress line
          TERM=dumb              plain log lines even on a terminal
          NO_COLOR               honoured: wsimg never prints colour codes

        Exit codes:
          0    every image is present
          1    some images could not be generated (the worksheet is written with the rest),
               rate limits would hold the run longer than --max-wait, or the worksheet's
               images were edited during the run
          2    usage, input, output or configuration error (nothing sent or written), the key
               was refused, or the URL answered 404 or a redirect
          130  interrupted (what was generated is kept and linked)

        """
    }
}
