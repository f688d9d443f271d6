import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// `--help` and `wsimg help COMMAND`, rendered from `Docs` and wrapped to 80 columns.
package enum HelpText {
    package static let width = 80

    package static var general: String {
        let rows = Docs.commands.map { ($0.listing, $0.summary) }
        return """
            wsimg \(Version.current): \(Docs.tagline).

            Usage:
            \(table(rows + [("wsimg --version", "show the version and the libraries it runs with")], indent: 2))

            Run 'wsimg help generate' for the options of a run, its environment variables
            and examples; 'wsimg help COMMAND' for any other command.
            Exit codes: 0 all good, 1 some images failed, 2 usage, input or configuration
            error, 130 interrupted.

            """
    }

    package static func command(_ doc: CommandDoc) -> String {
        var text = "Usage: \(doc.synopsis)\n"
        for paragraph in doc.description { text += "\n" + wrap(paragraph, indent: 0) + "\n" }
        let options = doc.options.filter { !$0.help.isEmpty }
        if !options.isEmpty {
            text += "\nOptions:\n" + table(options.map { (optionLabel($0), $0.help) }, indent: 2) + "\n"
        }
        if doc.name == "generate" {
            text += "\nEnvironment:\n" + table(Docs.environment.map { ($0.name, $0.meaning) }, indent: 2) + "\n"
            text += "\nExit codes:\n" + table(Docs.exitCodes.map { ($0.code, $0.meaning) }, indent: 2) + "\n"
        }
        if !doc.examples.isEmpty {
            text += "\nExamples:\n" + doc.examples.map { "  " + $0.command + "\n" + wrap($0.what, indent: 6) }.joined(separator: "\n") + "\n"
        }
        return text + "\n"
    }

    static func optionLabel(_ spec: OptionSpec) -> String {
        spec.names.joined(separator: ", ") + (spec.value.map { " " + $0 } ?? "")
    }

    /// Two columns: names up to 24 wide, text wrapped beside them (a longer name gets a line of its own).
    static func table(_ rows: [(String, String)], indent: Int) -> String {
        let column = min(26, (rows.map(\.0.count).max() ?? 0) + 2)
        return rows.map { name, text in
            let lead = String(repeating: " ", count: indent) + name
            let body = wrap(text, indent: indent + column)
            let bodyText = String(body.dropFirst(indent + column))
            return lead.count + 1 <= indent + column
                ? lead + String(repeating: " ", count: indent + column - lead.count) + bodyText
                : lead + "\n" + body
        }.joined(separator: "\n")
    }

    /// `text` in lines of at most `width` columns, each indented by `indent`.
    static func wrap(_ text: String, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, pad.count + line.count + 1 + word.count > width {
                lines.append(pad + line)
                line = String(word)
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(pad + line) }
        return lines.joined(separator: "\n")
    }
}
