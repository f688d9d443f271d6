import Foundation

/// `wsimg preview WORKSHEET [-o FILE.html]`.
struct PreviewCommand {
    static let specs: [OptionSpec] = [
        OptionSpec(["-o", "--output"], value: "FILE", help: "write the page here ('-' for stdout); default: <worksheet name>.preview.html beside it", kind: .file),
        OptionSpec(["--images-dir"], value: "DIR", help: "the folder whose pictures the page may include; default: <worksheet name>_images beside it", kind: .folder),
        OptionSpec(["-q", "--quiet"], help: "print errors only"),
        OptionSpec(["-h", "--help"], help: "show this help"),
    ]

    let worksheet: String
    let output: String?
    let imagesDir: String?
    let quiet: Bool

    init(_ parsed: ParsedArguments) throws(UsageError) {
        guard let worksheet = parsed.positionals.first, parsed.positionals.count == 1 else {
            throw UsageError("Usage: wsimg preview WORKSHEET [-o FILE.html]")
        }
        self.worksheet = worksheet
        output = parsed.value("--output")
        imagesDir = parsed.value("--images-dir")
        quiet = parsed.has("--quiet")
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

    func run() -> Int32 {
        let input = Paths.absolute(worksheet)
        let sheet: Worksheet
        do {
            sheet = try Worksheet(contentsOf: input, shownAs: worksheet)
        } catch {
            Console.err(TerminalText.line("wsimg: \(error)") + "\n")
            return ExitCode.usage
        }
        // A page is made to be shared: only pictures from the worksheet's own images folder go in,
        // never whatever other local file a url names.
        let allowed = imagesDir.map { Paths.absolute($0) } ?? Paths.folder(of: input) + "/" + Paths.stem(of: input) + "_images"
        // Named as the worksheet names itself: `metadata.topic`, else its `title`, else the file.
        let about = WorksheetAbout(input)
        var page = PreviewPage(worksheet: sheet, folder: Paths.folder(of: input), title: about.title ?? Paths.stem(of: input), imagesFolder: allowed)
        if let language = about.language { page.language = language }
        let destination = output ?? Paths.folder(of: input) + "/" + Paths.stem(of: input) + ".preview.html"
        do {
            if destination != "-", WorksheetFile.target(of: Paths.absolute(destination)) == WorksheetFile.target(of: input) {
                throw OutputError.cannotWrite(path: destination, reason: "-o names the worksheet itself; give the page a file of its own")
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
        if !quiet {
            let (shown, missing) = page.counts
            let named = destination == "-" ? "the page" : Paths.relative(Paths.absolute(destination), from: FileManager.default.currentDirectoryPath)
            Console.err(TerminalText.line("Wrote \(named): \(shown) of \(page.items.count) pictures" + (missing > 0 ? ", \(missing) missing or invalid" : "")) + "\n")
        }
        return ExitCode.success
    }
}
