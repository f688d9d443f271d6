import Foundation
import Testing

@testable import WsimgBasics
@testable import WsimgCLI
@testable import WsimgGeneration
@testable import WsimgImages
@testable import WsimgJSON
@testable import WsimgLibrary
@testable import WsimgNetwork
@testable import WsimgRun
@testable import WsimgWorksheet

/// Help, man page, completions and the README are rendered from, or checked against, the option
/// specs the parser reads: an option cannot be added to one and forgotten in another.
@Suite struct DocsTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md").path

    static var documentedOptions: [(CommandDoc, OptionSpec)] {
        Docs.commands.flatMap { doc in doc.options.filter { !$0.help.isEmpty }.map { (doc, $0) } }
    }

    /// Review 3, item 16: right after `make run` nothing has put `wsimg` on PATH, so the quick start's
    /// commands before `make install` run the binary where `make run` leaves it.
    @Test func theQuickStartRunsTheBinaryWhereMakeRunLeavesIt() throws {
        let readme = try String(contentsOfFile: Self.readme, encoding: .utf8)
        let start = try #require(readme.range(of: "## Try it on the sample"))
        let block = try #require(readme[start.upperBound...].components(separatedBy: "```").dropFirst().first)
        let commands = block.split(separator: "\n").dropFirst().map { String($0) }
        #expect(commands.first?.hasPrefix("make run") == true, "\(commands)")
        for line in commands.dropFirst() where !line.hasPrefix("make") {
            #expect(line.hasPrefix(".build/release/wsimg "), "\(line)")
        }
    }

    @Test func everyOptionIsInTheHelpTheManPageAndEveryCompletion() {
        let man = ManPage.text
        let scripts = Completions.shells.compactMap(Completions.script(for:))
        for (doc, option) in Self.documentedOptions {
            let help = HelpText.command(doc)
            for name in option.names {
                #expect(help.contains(name), "\(doc.name) --help lacks \(name)")
                #expect(man.contains(ManPage.escape(name)), "the man page lacks \(name)")
                for script in scripts {
                    let spelled = name.hasPrefix("--") ? name : name
                    #expect(
                        script.contains(spelled) || script.contains("-l \(name.dropFirst(2))") || script.contains("-s \(name.dropFirst())"),
                        "a completion script lacks \(name)")
                }
            }
        }
        for doc in Docs.commands {
            #expect(HelpText.general.contains(doc.listing))
            #expect(man.contains(ManPage.escape(doc.synopsis)))
            for script in scripts { #expect(script.contains(doc.name)) }
        }
    }

    @Test func everyHelpTextFitsEightyColumns() {
        for text in [HelpText.general] + Docs.commands.map(HelpText.command) {
            for line in text.split(separator: "\n") { #expect(line.count <= 80, "too wide: \(line)") }
        }
        #expect(HelpText.general.contains("wsimg help generate"))
        #expect(HelpText.command(Docs.generate).contains("Examples:"))
        #expect(HelpText.command(Docs.prompts).contains("--model"))
    }

    /// The README's generate options table and the parser's specs name the same options.
    @Test func theReadmeTableMatchesTheOptions() throws {
        let readme = try String(contentsOfFile: Self.readme, encoding: .utf8)
        let start = try #require(readme.range(of: "### `wsimg generate` options"))
        let end = try #require(readme.range(of: "### Environment", range: start.upperBound..<readme.endIndex))
        let table = readme[start.upperBound..<end.lowerBound]
        let documented = Set(
            table.split(separator: "\n").filter { $0.hasPrefix("| `-") }.flatMap { row in
                row.split(separator: "|")[0].replacingOccurrences(of: "`", with: "").components(separatedBy: ", ").map {
                    String($0.trimmingCharacters(in: .whitespaces).prefix { $0 != " " })
                }
            })
        let specs = Set(GenerateOptions.specs.filter { !$0.help.isEmpty }.flatMap(\.names))
        #expect(documented == specs, "README only: \(documented.subtracting(specs)); specs only: \(specs.subtracting(documented))")
        for variable in Docs.environment { #expect(readme.contains(variable.name.split(separator: ",")[0]), "README lacks \(variable.name)") }
    }

    @Test func theVersionNamesTheLibraries() {
        let line = LibraryVersions.line
        #expect(line.contains("libcurl/") && line.contains("libpng/") && line.contains("libjpeg"))
    }

    @Test func manPageTextIsEscaped() {
        #expect(ManPage.escape("--max-wait") == "\\-\\-max\\-wait")
        #expect(ManPage.escape(".hidden") == "\\&.hidden")
        #expect(ManPage.escape("a\\b") == "a\\eb")
    }
}
