import Foundation

/// `--report FILE`: the run as JSON, totals in the web app's shape (`total`, `successful`, `failed`,
/// `duration` in ms) plus `skipped`, and one entry per image.
public struct RunReport {
    public let version: String
    public let provider: String
    public let interrupted: Bool
    public let duration: Double
    public let records: [WorksheetUpdate.Record]
    /// With several worksheets: each one's name and records (`records` is then empty).
    public let worksheets: [(name: String, records: [WorksheetUpdate.Record])]

    public init(
        version: String, provider: String, interrupted: Bool, duration: Double, records: [WorksheetUpdate.Record],
        worksheets: [(name: String, records: [WorksheetUpdate.Record])] = []
    ) {
        self.version = version
        self.provider = provider
        self.interrupted = interrupted
        self.duration = duration
        self.records = records
        self.worksheets = worksheets
    }

    /// Whether the file at `path` is a report wsimg wrote (so a folder of worksheets can hold one).
    static func isReport(atPath path: String) -> Bool {
        guard let (fd, _) = try? RegularFile.open(path) else { return false }
        defer { close(fd) }
        let head = String(decoding: RegularFile.read(fd, count: 64, at: 0), as: UTF8.self)
        return head.hasPrefix("{\n  \"tool\": \"wsimg\",")
    }

    /// Writes the report atomically, with every registered secret redacted; returns what went wrong, if anything did.
    public func write(to path: String) -> String? {
        do {
            try AtomicFile.write(Array(Secrets.redact(json()).utf8), to: path)
            return nil
        } catch {
            return error.description
        }
    }

    public func json() -> String {
        let everything = records + worksheets.flatMap(\.records)
        func count(_ status: WorksheetUpdate.Record.Status) -> Int { everything.filter { $0.status == status }.count }
        func images(_ records: [WorksheetUpdate.Record], indent: String) -> String {
            records.map { indent + Self.json($0) }.joined(separator: ",\n")
        }
        let body: String
        if worksheets.isEmpty {
            body = "  \"images\": [\n" + images(records, indent: "    ") + "\n  ]"
        } else {
            body =
                "  \"worksheets\": [\n"
                + worksheets.map { sheet in
                    "    {\"worksheet\": \(JSONWriter.quoted(sheet.name)), \"images\": [\n" + images(sheet.records, indent: "      ") + "\n    ]}"
                }.joined(separator: ",\n") + "\n  ]"
        }
        return """
            {
              "tool": "wsimg",
              "version": \(JSONWriter.quoted(version)),
              "provider": \(JSONWriter.quoted(provider)),
              "interrupted": \(interrupted),
              "stats": {"total": \(everything.count), "successful": \(count(.ok)), "failed": \(count(.failed)), "skipped": \(count(.skipped)), "duration": \(Int((duration * 1000).rounded()))},
            \(body)
            }

            """
    }

    static func json(_ record: WorksheetUpdate.Record) -> String {
        var fields = [
            #""id": \#(JSONWriter.quoted(record.id))"#,
            #""caption": \#(record.caption.map(JSONWriter.quoted) ?? "null")"#,
            #""status": "\#(record.status.rawValue)""#,
            #""file": \#(record.file.map(JSONWriter.quoted) ?? "null")"#,
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
