import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// `wsimg candidates WORKSHEET [ID…]`: every picture made for each element, numbered from 1 (the
/// oldest), the linked one marked, with the command that links another (`wsimg pick`).
package struct CandidatesCommand {
    package static let specs: [OptionSpec] =
        [OptionSpec(["--json"], help: "print JSON instead of text")]
        + GenerateOptions.specs.filter { GenerateOptions.pictureSettings.contains($0.longName) || ["--images-dir", "--output"].contains($0.longName) }

    let command: GenerateCommand
    let names: [String]
    let json: Bool

    package init(_ parsed: ParsedArguments, environment: [String: String]) throws(UsageError) {
        guard !parsed.positionals.isEmpty else { throw UsageError("Missing WORKSHEET: wsimg candidates WORKSHEET [ID…]") }
        var worksheetOnly = parsed
        worksheetOnly.positionals = Array(parsed.positionals.prefix(1))
        let options = try GenerateOptions(worksheetOnly)
        guard !options.readsStdin else { throw UsageError("wsimg candidates reads a worksheet file, not stdin") }
        command = GenerateCommand(options: options, environment: environment, terminal: TerminalInfo(isTerminal: false))
        names = Array(parsed.positionals.dropFirst())
        json = parsed.has("--json")
    }

    package func run() -> Int32 {
        do {
            let listing = try command.candidateListing()
            let elements = try listing.selecting(names)
            Console.out(json ? Self.json(elements, command: command) : Self.text(elements, number: listing.number(of:), command: command))
            return ExitCode.success
        } catch let error as UsageError {
            Console.report(error.message)
        } catch {
            Console.report("\(error)")
        }
        return ExitCode.usage
    }

    static func shown(_ candidate: Candidate) -> String {
        Paths.relative(candidate.path, from: FileSystem.currentDirectoryPath)
    }

    static func text(_ elements: [CandidateListing.Element], number: (Placeholder) -> Int, command: GenerateCommand) -> String {
        var lines: [String] = []
        let worksheet = TerminalText.safe(TerminalText.shellPath(command.options.worksheet))
        for element in elements {
            let id = TerminalText.safe(element.placeholder.id)
            let caption = element.placeholder.caption.map { " \"\(TerminalText.line($0))\"" } ?? ""
            lines.append("#\(number(element.placeholder)) \(id)\(caption) \(element.request.width)×\(element.request.height)")
            if element.candidates.isEmpty {
                let embedded = element.placeholder.url?.hasPrefix(EmbeddedImage.prefix) == true
                lines.append(embedded ? "    only the picture embedded in the worksheet (its images folder has none)" : "    no picture yet: wsimg generate \(worksheet)")
            }
            for (index, candidate) in element.candidates.enumerated() {
                let mark = element.linked == index + 1 ? "*" : " "
                let other = element.otherSettings[index]
                let note = other.isEmpty ? "" : "  (made with other settings: \(other.joined(separator: ", ")))"
                lines.append(
                    "  \(mark) \(index + 1)  \(TerminalText.safe(shown(candidate)))  seed \(candidate.seed)  \(CandidateListing.age(of: candidate))\(note)")
            }
            if element.candidates.count > 1 {
                let pick = TerminalText.shellCommand("pick", worksheet: command.options.worksheet, operands: [element.placeholder.id, "N"])
                lines.append("    pick one: \(TerminalText.safe(pick))")
            }
        }
        lines.append("* linked now. `wsimg generate \(worksheet) --redo ID` makes another; --variants N makes N.")
        return lines.joined(separator: "\n") + "\n"
    }

    static func json(_ elements: [CandidateListing.Element], command: GenerateCommand) -> String {
        let items = elements.map { element in
            let candidates = element.candidates.enumerated().map { index, candidate in
                #"{"number": \#(index + 1), "file": \#(JSONWriter.quoted(shown(candidate))), "key": "\#(candidate.key)", "seed": \#(candidate.seed), "created": "\#(CandidateListing.isoTime(candidate.created))", "linked": \#(element.linked == index + 1), "other_settings": [\#(element.otherSettings[index].map(JSONWriter.quoted).joined(separator: ", "))]}"#
            }
            return
                #"    {"id": \#(JSONWriter.quoted(element.placeholder.id)), "caption": \#(element.placeholder.caption.map(JSONWriter.quoted) ?? "null"), "prompt": \#(JSONWriter.quoted(element.placeholder.prompt)), "width": \#(element.request.width), "height": \#(element.request.height), "linked": \#(element.linked.map(String.init) ?? "null"), "candidates": [\#(candidates.joined(separator: ", "))]}"#
        }
        return "{\n  \"worksheet\": \(JSONWriter.quoted(command.options.worksheet)),\n  \"elements\": [\n" + items.joined(separator: ",\n") + "\n  ]\n}\n"
    }
}
