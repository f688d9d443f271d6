import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// `wsimg preview WORKSHEET… [-o FILE.html] [--open]`.
struct PreviewCommand {
    static let specs: [OptionSpec] = [
        OptionSpec(
            ["-o", "--output"], value: "FILE",
            help: "write the page here ('-' for stdout); default: <worksheet name>.preview.html beside it (several: preview.html in the first one's folder)",
            kind: .file),
        OptionSpec(
            ["--images-dir"], value: "DIR", help: "the folder whose pictures the page may include (one worksheet); default: <worksheet name>_images beside it",
            kind: .folder),
        OptionSpec(["--open"], help: "open the page in the browser (xdg-open, or open on macOS) when there is a display"),
        OptionSpec(["-q", "--quiet"], help: "print errors only"),
        OptionSpec(["-h", "--help"], help: "show this help"),
    ]

    let worksheets: [String]
    let output: String?
    let imagesDir: String?
    let quiet: Bool
    let open: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard !parsed.positionals.isEmpty else {
            throw UsageError("Usage: wsimg preview WORKSHEET… [-o FILE.html]")
        }
        worksheets = parsed.positionals
        output = parsed.value("--output")
        imagesDir = parsed.value("--images-dir")
        quiet = parsed.has("--quiet")
        open = parsed.has("--open")
        if imagesDir != nil, worksheets.count > 1 || worksheets.contains(where: Paths.isFolder) {
            throw UsageError("--images-dir is for one worksheet; with several, each one's <name>_images is used")
        }
        if open, output == "-" { throw UsageError("--open needs a page file, not stdout (-o -)") }
    }

    /// Writes the page to stdout. A reader that closed the pipe first (`| head`) is not an error:
    /// nothing is said, exit 0; any other failure is said, exit 2. Nil when all was written.
    static func writeToStandardOutput(_ page: PreviewPage) -> Int32? {
        do {
            try page.write(to: STDOUT_FILENO, path: "stdout")
            return nil
        } catch {
            if case .cannotWrite(_, let reason) = error, reason == String(cString: strerror(EPIPE)) { return ExitCode.success }
            Console.report("\(error)")
            return ExitCode.usage
        }
    }

    /// One worksheet's section: its pictures (only from its own images folder: a page is made to be
    /// shared, so never whatever other local file a url names) and its candidates.
    func sheet(_ name: String) throws(WorksheetError) -> (sheet: PreviewPage.Sheet, language: String?) {
        let input = Paths.absolute(name)
        let worksheet = try Worksheet(contentsOf: input, shownAs: name)
        let allowed = imagesDir.map { Paths.absolute($0) } ?? Paths.imagesFolder(of: input)
        // Named as the worksheet names itself: `metadata.topic`, else its `title`, else the file.
        let about = WorksheetAbout(input)
        let sheet = PreviewPage.sheet(
            worksheet, folder: Paths.folder(of: input), title: about.title ?? Paths.stem(of: input), imagesFolder: allowed,
            candidates: RedoManifest.load(from: allowed), name: name)
        return (sheet, about.language)
    }

    func run() -> Int32 {
        let names = RunInputs.resolve(worksheets) { Console.report($0) }.map(\.name)
        guard !names.isEmpty else {
            Console.report(RunInputs.noWorksheets(in: worksheets))
            return ExitCode.usage
        }
        var sheets: [PreviewPage.Sheet] = []
        var language: String?
        for name in names {
            do {
                let (sheet, said) = try sheet(name)
                sheets.append(sheet)
                language = language ?? said
            } catch {
                Console.err(TerminalText.line("wsimg: \(error)") + "\n")
                return ExitCode.usage
            }
        }
        let single = names.count == 1
        var page = single ? PreviewPage(title: sheets[0].title, sheets: sheets) : PreviewPage(title: "\(sheets.count) worksheets", sheets: sheets)
        if let language { page.language = language }
        let first = Paths.absolute(names[0])
        let destination = output ?? Paths.folder(of: first) + "/" + (single ? Paths.stem(of: first) + ".preview.html" : "preview.html")
        do {
            if destination != "-", names.contains(where: { WorksheetFile.target(of: Paths.absolute(destination)) == WorksheetFile.target(of: Paths.absolute($0)) }) {
                throw OutputError.cannotWrite(path: destination, reason: "-o names a worksheet; give the page a file of its own")
            }
            if destination == "-" {
                if let code = Self.writeToStandardOutput(page) { return code }
            } else {
                let path = Paths.absolute(destination)
                try OutputPreflight.checkWritable(path)
                try AtomicFile.write(to: path) { (fd) throws(OutputError) in try page.write(to: fd, path: path) }
            }
        } catch {
            Console.err(TerminalText.line("wsimg: \(error)") + "\n")
            return ExitCode.usage
        }
        let named = destination == "-" ? "the page" : Paths.relative(Paths.absolute(destination), from: FileSystem.currentDirectoryPath)
        if !quiet {
            let (shown, missing) = page.counts
            Console.err(TerminalText.line("Wrote \(named): \(shown) of \(page.items.count) pictures" + (missing > 0 ? ", \(missing) missing or invalid" : "")) + "\n")
        }
        if open { PageOpener.open(Paths.absolute(destination), shownAs: named, environment: ProcessInfo.processInfo.environment) }
        return ExitCode.success
    }
}
