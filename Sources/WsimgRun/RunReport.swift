import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// `--report FILE` (or `-`): the run for scripts, in one shape for one worksheet or many, written
/// whatever happened — also when a worksheet could not be read, or the run stopped before it began.
/// `schema` counts its versions; see the README's "The report".
package struct RunReport {
    package static let schema = 2

    /// One worksheet of the run: where it went, and each image's record (or why it was not read).
    package struct Sheet {
        package var worksheet: String
        package var output: String?
        package var imagesDir: String?
        package var error: String?
        package var images: [WorksheetUpdate.Record] = []

        package init(worksheet: String, output: String? = nil, imagesDir: String? = nil, error: String? = nil, images: [WorksheetUpdate.Record] = []) {
            self.worksheet = worksheet
            self.output = output
            self.imagesDir = imagesDir
            self.error = error
            self.images = images
        }
    }

    package var version = Version.current
    package var provider: String?
    package var exitCode: Int32 = 0
    package var interrupted = false
    /// Why the whole run stopped early.
    package enum Stop: Sendable, Equatable {
        /// The engine stopped it (a refused key, a full disk, the deadline, rate limits, no network).
        case engine(GenerationEngine.StopReason)
        case interrupted
        /// It could not start: a bad setting, an input it cannot use (the message as printed).
        case usage(String)

        /// One word for scripts: `upstream`, `output`, `deadline`, `overloaded`, `unreachable`,
        /// `interrupted` or `usage`.
        package var reason: String {
            switch self {
            case .engine(let stop): stop.kind
            case .interrupted: "interrupted"
            case .usage: "usage"
            }
        }

        package var message: String {
            switch self {
            case .engine(let stop): "\(stop)"
            case .interrupted: "interrupted"
            case .usage(let message): message
            }
        }
    }

    package var stop: Stop?
    package var duration = 0.0
    package var totals = RunSummary.Total()
    package var worksheets: [Sheet] = []

    package init() {}

    /// Whether the file at `path` is a report wsimg wrote (so a folder of worksheets can hold one).
    package static func isReport(atPath path: String) -> Bool {
        guard let (fd, _) = try? RegularFile.open(path) else { return false }
        defer { close(fd) }
        let head = String(decoding: RegularFile.read(fd, count: 64, at: 0), as: UTF8.self)
        return head.hasPrefix("{\n  \"tool\": \"wsimg\",")
    }

    /// Writes the report (atomically, or to stdout for `-`), with every registered secret redacted;
    /// returns what went wrong, if anything did.
    package func write(to path: String) -> String? {
        let bytes = Array(Secrets.redact(json()).utf8)
        if path == "-" {
            return bytes.withUnsafeBytes { AtomicFile.writeAll($0, to: STDOUT_FILENO) }.map { "cannot write the report to stdout: \($0)" }
        }
        do {
            try AtomicFile.write(bytes, to: path)
            return nil
        } catch {
            return error.description
        }
    }

    package func json() -> String {
        func quoted(_ text: String?) -> String { text.map(JSONWriter.quoted) ?? "null" }
        let stopJSON = stop.map { #"{"reason": \#(quoted($0.reason)), "message": \#(quoted($0.message))}"# } ?? "null"
        let sheets = worksheets.map { sheet in
            "    {\"worksheet\": \(quoted(sheet.worksheet)), \"output\": \(quoted(sheet.output)), \"images_dir\": \(quoted(sheet.imagesDir)), "
                + "\"error\": \(quoted(sheet.error)), \"images\": ["
                + (sheet.images.isEmpty ? "" : "\n" + sheet.images.map { "      " + Self.json($0) }.joined(separator: ",\n") + "\n    ") + "]}"
        }
        return """
            {
              "tool": "wsimg",
              "schema": \(Self.schema),
              "version": \(quoted(version)),
              "provider": \(quoted(provider)),
              "exit_code": \(exitCode),
              "interrupted": \(interrupted),
              "stop": \(stopJSON),
              "duration_ms": \(Int((duration * 1000).rounded())),
              "totals": \(totals.json),
              "worksheets": [\(sheets.isEmpty ? "" : "\n" + sheets.joined(separator: ",\n") + "\n  ")]
            }

            """
    }

    package static func json(_ record: WorksheetUpdate.Record) -> String {
        var fields = [
            #""id": \#(JSONWriter.quoted(record.id))"#,
            #""caption": \#(record.caption.map(JSONWriter.quoted) ?? "null")"#,
            #""status": "\#(record.status.rawValue)""#,
            // Relative like the report's other paths (to the current folder, when the file is below it).
            #""file": \#(record.file.map { JSONWriter.quoted(Paths.display($0)) } ?? "null")"#,
            #""width": \#(record.width.map(String.init) ?? "null")"#,
            #""height": \#(record.height.map(String.init) ?? "null")"#,
            #""attempts": \#(record.attempts)"#,
            #""duration": \#(Int((record.duration * 1000).rounded()))"#,
        ]
        fields.append(#""error": \#(record.error.map(JSONWriter.quoted) ?? "null")"#)
        if let note = record.note { fields.append(#""note": \#(JSONWriter.quoted(note))"#) }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}
