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
            for file in Paths.isFolder(path) ? Self.pngFiles(in: path) : [path] {
                checked += 1
                if let problem = Self.check(file: file, width: nil, height: nil) { problems.append("\(file): \(problem)") }
            }
        }
        if let worksheet {
            do {
                let (count, found) = try checkWorksheet(worksheet)
                checked += count
                problems += found
                if !quiet {
                    for orphan in try unlinkedPictures(worksheet) {
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

    /// The PNG files below `folder`, sorted (links to folders are not followed: a loop would not end).
    static func pngFiles(in folder: String) -> [String] {
        var files: [String] = []
        for name in (try? FileSystem.contentsOfDirectory(atPath: folder)) ?? [] {
            let path = folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                files += pngFiles(in: path)
            } else if name.lowercased().hasSuffix(".png") {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// A problem with the PNG at `file`, or nil when it decodes fully (and has the size, when given).
    /// Without a size, one larger than any picture wsimg makes is reported, not decoded: its pixels
    /// could take gigabytes.
    static func check(file: String, width: Int?, height: Int?) -> String? {
        do {
            if width == nil, let (fd, _) = try? RegularFile.open(file) {
                defer { close(fd) }
                if let header = try? PNGValidator.header(of: RegularFile.read(fd, count: 24, at: 0)), let problem = tooLarge(header) { return problem }
            }
            try PNGValidator.validate(fileAt: file, width: width, height: height)
            return nil
        } catch {
            return error.description
        }
    }

    static func check(bytes: [UInt8], width: Int?, height: Int?) -> String? {
        do {
            let header = try PNGValidator.header(of: bytes)
            if width == nil, let problem = tooLarge(header) { return problem }
            try PNGValidator.validate(bytes, width: width ?? header.width, height: height ?? header.height)
            return nil
        } catch {
            return error.description
        }
    }

    static func tooLarge(_ header: PNGHeader) -> String? {
        guard header.width > SizeRules.maximumSide || header.height > SizeRules.maximumSide else { return nil }
        return "the PNG is \(header.width)×\(header.height), larger than any picture wsimg makes (\(SizeRules.maximumSide) a side); not decoded"
    }

    /// Pictures in the worksheet's images folder that no element uses, by the very rule `--prune`
    /// deletes them by (`GenerationPlan.orphans`): the plan the next run would make, with this
    /// environment's settings.
    func unlinkedPictures(_ path: String) throws -> [String] {
        let command = GenerateCommand(options: GenerateOptions(worksheet: path), environment: environment, terminal: TerminalInfo(isTerminal: false))
        let next = try command.preview()
        return next.plan.orphans(in: next.layout.store).map { Paths.relative($0, from: FileSystem.currentDirectoryPath) }
    }

    func checkWorksheet(_ path: String) throws(WorksheetError) -> (checked: Int, problems: [String]) {
        let sheet = try Worksheet(contentsOf: path, shownAs: path)
        let folder = Paths.folder(of: Paths.absolute(path))
        var problems: [String] = []
        for placeholder in sheet.placeholders {
            let label = "\(path) \(placeholder.id)"
            if let problem = placeholder.problem {
                problems.append("\(label): \(problem)")
                continue
            }
            let request = ImageRequest(placeholder, options: RequestOptions())
            guard let text = placeholder.url, !text.isEmpty else {
                // An element that asks for no picture (no prompt) needs none, as `generate` skips it.
                if placeholder.asksForPicture { problems.append("\(label): no picture (no url)") }
                continue
            }
            let problem: String?
            if text.hasPrefix("data:") {
                switch EmbeddedImage.decode(text, in: sheet.source) {
                case .picture(let bytes): problem = Self.check(bytes: bytes, width: request.width, height: request.height)
                case .tooLarge: problem = "the embedded picture is larger than 64 MiB"
                case .notBase64: problem = "the data: url is not valid base64"
                }
            } else if let url = text.text, url.contains("://") {
                problem = "\(url) is not a local file, so it cannot be checked"
            } else if let url = text.text {
                let file = Paths.absolute(url, base: folder)
                problem =
                    FileSystem.fileExists(atPath: file)
                    ? Self.check(file: file, width: request.width, height: request.height) : "\(url) does not exist"
            } else {
                problem = "the url is longer than \(JSONScanner.textLimit >> 10) KiB and not a data: URL"
            }
            if let problem { problems.append("\(label): \(problem)") }
        }
        return (sheet.placeholders.filter { $0.asksForPicture || $0.url != nil }.count, problems)
    }
}
