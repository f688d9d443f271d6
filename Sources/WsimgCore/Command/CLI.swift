import Foundation

/// Dispatches `wsimg COMMAND …` and returns the process's exit code.
public enum CLI {
    public static let version = "0.1.0"

    static let commands = ["generate", "help"]

    public static func run(_ arguments: [String], environment: [String: String]) async -> Int32 {
        guard let first = arguments.first else {
            print(generalHelp, terminator: "")
            return ExitCode.usage
        }
        switch first {
        case "--version", "-V", "version":
            print("wsimg \(version)")
            return ExitCode.success
        case "--help", "-h":
            print(generalHelp, terminator: "")
            return ExitCode.success
        case "help":
            return help(arguments.dropFirst().first)
        case "generate":
            let rest = Array(arguments.dropFirst())
            do {
                let parsed = try ArgumentParser.parse(rest, options: GenerateOptions.specs)
                if parsed.has("--help") {
                    print(generateHelp, terminator: "")
                    return ExitCode.success
                }
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
        switch topic {
        case nil: print(generalHelp, terminator: "")
        case "generate": print(generateHelp, terminator: "")
        case let other?:
            let hint = ArgumentParser.closest(to: other, in: commands).map { " Did you mean '\($0)'?" } ?? ""
            return usageError("No help for '\(other)'.\(hint)")
        }
        return ExitCode.success
    }

    static func usageError(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("wsimg: \(message)\n".utf8))
        return ExitCode.usage
    }

    static let generalHelp = """
    wsimg \(version): generate the pictures of a worksheet with FLUX.1-schnell.

    Usage:
      wsimg generate WORKSHEET [options]   generate missing pictures and link them from the worksheet
      wsimg help [COMMAND]                 show help
      wsimg --version                      show the version

    Run 'wsimg help generate' for the options.

    """

    static var generateHelp: String {
        let rows = GenerateOptions.specs.filter { !$0.help.isEmpty }.map { spec -> (String, String) in
            let names = spec.names.joined(separator: ", ") + (spec.value.map { " " + $0 } ?? "")
            return (names, spec.help)
        }
        let width = rows.map(\.0.count).max() ?? 0
        let options = rows.map { "  " + $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
        return """
        Usage: wsimg generate WORKSHEET [options]

        Reads WORKSHEET (JSON with pages[].elements[]), generates a PNG for every
        image-placeholder element's imagePrompt, and sets each element's properties.url.
        Pictures already present for the same request are not generated again.

        Options:
        \(options)

        Environment:
          TOGETHER_API_KEY       Together AI key (required with --provider together)
          TOGETHER_API_KEY_FILE  file holding the key, read when TOGETHER_API_KEY is unset
          TOGETHER_BASE_URL      API base URL (default \(TogetherProvider.defaultBaseURL))
          WSIMG_ENDPOINT         batch endpoint URL; like --endpoint (remote mode)
          WSIMG_ENDPOINT_TOKEN   sent as 'Authorization: Bearer …' to an endpoint that requires it
          COLUMNS                width of the progress line
          TERM=dumb              plain log lines even on a terminal

        Exit codes:
          0    every image is present
          1    some images could not be generated (the worksheet is written with the rest)
          2    usage, input or configuration error (nothing written), or the key was refused
          130  interrupted (what was generated is kept and linked)

        """
    }
}
