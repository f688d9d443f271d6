import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// `wsimg.1` in plain roff (`man -l wsimg.1`), rendered from `Docs`. The date is the release's
/// (`Version.date`), so the page is the same on every build.
package enum ManPage {
    package static var text: String {
        var out = """
            .TH WSIMG 1 "\(Version.date)" "wsimg \(Version.current)" "User Commands"
            .SH NAME
            wsimg \\- \(escape(Docs.tagline))
            .SH SYNOPSIS

            """
        for doc in Docs.commands { out += ".B \(escape(doc.synopsis))\n.br\n" }
        out += """
            .SH DESCRIPTION
            \(escape("wsimg reads a worksheet (JSON: pages[].elements[]), generates a picture for every image-placeholder element's imagePrompt with FLUX.1-schnell through Together AI or a school's web app, checks every picture with libpng, saves it as a PNG, and writes the worksheet back with each element's url pointing at its picture. Runs again make only the pictures whose prompt or size changed."))
            .SH COMMANDS

            """
        for doc in Docs.commands {
            out += ".SS \(escape(doc.synopsis))\n"
            out += (doc.description.isEmpty ? [doc.summary] : doc.description).map { escape($0) + "\n" }.joined(separator: ".PP\n")
            for option in doc.options where !option.help.isEmpty {
                out += ".TP\n.B \(escape(HelpText.optionLabel(option)))\n\(escape(option.help))\n"
            }
        }
        out += ".SH ENVIRONMENT\n"
        for variable in Docs.environment { out += ".TP\n.B \(escape(variable.name))\n\(escape(variable.meaning))\n" }
        out += ".SH EXIT STATUS\n"
        for code in Docs.exitCodes { out += ".TP\n.B \(code.code)\n\(escape(code.meaning))\n" }
        out += ".SH FILES\n"
        for file in Docs.files { out += ".TP\n.I \(escape(file.path))\n\(escape(file.meaning))\n" }
        out += ".SH EXAMPLES\n"
        for doc in Docs.commands {
            for example in doc.examples { out += ".TP\n.B \(escape(example.command))\n\(escape(example.what))\n" }
        }
        out += ".SH SEE ALSO\n.BR curl (1)\n"
        return out
    }

    /// Roff-safe text: backslashes doubled, `-` as `\-`, a leading `.` or `'` escaped.
    static func escape(_ text: String) -> String {
        var out = text.replacingAll("\\", with: "\\e").replacingAll("-", with: "\\-")
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }
}
