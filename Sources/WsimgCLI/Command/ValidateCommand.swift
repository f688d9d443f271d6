import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// `wsimg validate PATH… [--worksheet FILE]`: decodes PNGs fully with libpng and reports each problem
/// on a line of its own; with a worksheet, also checks that every image URL points at a valid PNG of
/// the size the worksheet asks for.
package struct ValidateCommand {
    package static let specs: [OptionSpec] = [
        OptionSpec(["--worksheet"], value: "FILE", help: "also check that every image url in FILE is a valid PNG of the expected size", kind: .file),
        OptionSpec(["-q", "--quiet"], help: "print problems only, no closing line"),
        OptionSpec(["-h", "--help"], help: "show this help"),
    ]

    package let paths: [String]
    package let worksheet: String?
    package let quiet: Bool
    package let environment: [String: String]

    package init(_ parsed: ParsedArguments, environment: [String: String] = [:]) throws(UsageError) {
        self.environment = environment
        paths = parsed.positionals
        worksheet = parsed.value("--worksheet")
        quiet = parsed.has("--quiet")
        guard !paths.isEmpty || worksheet != nil else {
            throw UsageError("Nothing to validate: wsimg validate PATH… [--worksheet FILE]")
        }
    }

    package func run() -> Int32 {
        var problems: [String] = []
        var checked = 0
        for path in paths {
            guard FileSystem.fileExists(atPath: path) else {
                problems.append("\(path): no such file or folder")
                continue
            }
            for file in Paths.isFolder(path) ? PictureCheck.pngFiles(in: path) : [path] {
                checked += 1
                if let problem = PictureCheck.problem(file: file, width: nil, height: nil) { problems.append("\(file): \(problem)") }
            }
        }
        if let worksheet {
            do {
                let (count, found) = try PictureCheck.worksheet(worksheet)
                checked += count
                problems += found
                if !quiet {
                    // Only a note: a setting the plan cannot use (a bad TOGETHER_BASE_URL) does not fail validation.
                    for orphan in (try? unlinkedPictures(worksheet)) ?? [] {
                        Console.err(TerminalText.line("note: \(orphan) belongs to no element of \(worksheet); `wsimg generate --prune` deletes it") + "\n")
                    }
                }
            } catch {
                Console.err(TerminalText.line("wsimg: \(error)") + "\n")
                return ExitCode.usage
            }
        }
        if !problems.isEmpty { Console.out(problems.map { TerminalText.line($0) }.joined(separator: "\n") + "\n") }
        if !quiet {
            let images = checked == 1 ? "1 image" : "\(checked) images"
            let line = problems.isEmpty ? "Checked \(images): all valid PNGs." : "Checked \(images): \(problems.count) problem\(problems.count == 1 ? "" : "s")."
            Console.err(line + "\n")
        }
        return problems.isEmpty ? ExitCode.success : ExitCode.someFailed
    }

    /// Pictures in the worksheet's images folder that no element uses, by the very rule `--prune`
    /// deletes them by (`GenerationPlan.orphans`): the plan the next run would make, with this
    /// environment's settings.
    func unlinkedPictures(_ path: String) throws -> [String] {
        let command = GenerateCommand(options: GenerateOptions(worksheet: path), environment: environment, terminal: TerminalInfo(isTerminal: false))
        let next = try command.preview()
        return next.plan.orphans(in: next.layout.store).map { Paths.relative($0, from: FileSystem.currentDirectoryPath) }
    }
}
