import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// Dispatches `wsimg COMMAND …` and returns the process's exit code.
package enum CLI {
    package static let version = Version.current

    static var commands: [String] { Docs.commands.map(\.name) }

    package static func run(_ arguments: [String], environment: [String: String]) async -> Int32 {
        guard let first = arguments.first else {
            Console.err(HelpText.general)
            return ExitCode.usage
        }
        switch first {
        case "--version", "-V", "version":
            Console.out("wsimg \(version)\n\(LibraryVersions.line)\n")
            return ExitCode.success
        case "--help", "-h":
            Console.out(HelpText.general)
            return ExitCode.success
        case "completion":
            let shell = arguments.dropFirst().first ?? ""
            if shell == "--help" || shell == "-h" { return printHelp("completion") }
            guard let script = Completions.script(for: shell) else {
                return usageError("wsimg completion needs a shell: bash, zsh or fish")
            }
            Console.out(script)
            return ExitCode.success
        case "manpage":
            // Not listed: `make dist` and `make install` write the man page with it.
            Console.out(ManPage.text)
            return ExitCode.success
        case "help":
            return help(arguments.dropFirst().first)
        case "prompts":
            do {
                let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), options: Docs.prompts.options)
                if parsed.has("--help") { return printHelp("prompts") }
                let command = GenerateCommand(
                    options: try GenerateOptions(parsed, command: "prompts"), environment: environment,
                    terminal: TerminalInfo(isTerminal: false))
                return command.printPlan { parsed.has("--json") ? $0.json() : $0.promptsText() }
            } catch {
                return usageError(error.message, command: "prompts")
            }
        case "validate":
            do {
                let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), options: ValidateCommand.specs)
                if parsed.has("--help") { return printHelp("validate") }
                return try ValidateCommand(parsed, environment: environment).run()
            } catch {
                return usageError(error.message, command: "validate")
            }
        case "cache":
            do {
                let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), options: CacheCommand.specs)
                if parsed.has("--help") { return printHelp("cache") }
                return try CacheCommand(parsed, environment: environment).run()
            } catch {
                return usageError(error.message, command: "cache")
            }
        case "candidates":
            do {
                let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), options: CandidatesCommand.specs)
                if parsed.has("--help") { return printHelp("candidates") }
                return try CandidatesCommand(parsed, environment: environment).run()
            } catch {
                return usageError(error.message, command: "candidates")
            }
        case "pick":
            do {
                let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), options: PickCommand.specs)
                if parsed.has("--help") { return printHelp("pick") }
                let command = GenerateCommand(
                    options: try PickCommand.options(parsed), environment: environment, terminal: TerminalInfo.stderr(environment: environment))
                return await command.run()
            } catch {
                return usageError(error.message, command: "pick")
            }
        case "preview":
            do {
                let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), options: PreviewCommand.specs)
                if parsed.has("--help") { return printHelp("preview") }
                return try PreviewCommand(parsed).run()
            } catch {
                return usageError(error.message, command: "preview")
            }
        case "generate":
            let rest = Array(arguments.dropFirst())
            do {
                let parsed = try ArgumentParser.parse(rest, options: GenerateOptions.specs)
                if parsed.has("--help") { return printHelp("generate") }
                let options = try GenerateOptions(parsed)
                let command = GenerateCommand(
                    options: options, environment: environment,
                    terminal: TerminalInfo.stderr(environment: environment))
                return await command.run()
            } catch {
                return usageError(error.message, command: "generate")
            }
        default:
            if first.hasPrefix("-") {
                return usageError("Unknown option \(first). Options go after the command: wsimg generate WORKSHEET \(first)")
            }
            let hint = NearestName.closest(to: first, in: commands).map { " Did you mean '\($0)'?" } ?? ""
            return usageError("Unknown command '\(first)'.\(hint) Run 'wsimg help' for the list of commands.")
        }
    }

    static func help(_ topic: String?) -> Int32 {
        guard let topic else {
            Console.out(HelpText.general)
            return ExitCode.success
        }
        guard Docs.command(topic) != nil else {
            let hint = NearestName.closest(to: topic, in: commands).map { " Did you mean '\($0)'?" } ?? ""
            return usageError("No help for '\(topic)'.\(hint)")
        }
        return printHelp(topic)
    }

    static func printHelp(_ command: String) -> Int32 {
        Console.out(HelpText.command(Docs.command(command) ?? Docs.generate))
        return ExitCode.success
    }

    /// A usage error of `command`: an unknown option points at that command's help.
    static func usageError(_ message: String, command: String? = nil) -> Int32 {
        var text = message
        if let command, message.hasPrefix("Unknown option") {
            text = message.replacingOccurrences(of: " Run 'wsimg help' for the list of options.", with: "") + " See 'wsimg help \(command)'."
        }
        Console.err(TerminalText.line("wsimg: \(text)") + "\n")
        return ExitCode.usage
    }
}
