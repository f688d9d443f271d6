/// `--report FILE`: the run as JSON, totals in the web app's shape (`total`, `successful`, `failed`,
/// `duration` in ms) plus `skipped`, and one entry per image.
public struct RunReport {
    public let version: String
    public let provider: String
    public let interrupted: Bool
    public let duration: Double
    public let records: [WorksheetUpdate.Record]

    public init(version: String, provider: String, interrupted: Bool, duration: Double, records: [WorksheetUpdate.Record]) {
        self.version = version
        self.provider = provider
        self.interrupted = interrupted
        self.duration = duration
        self.records = records
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
        func count(_ status: WorksheetUpdate.Record.Status) -> Int { records.filter { $0.status == status }.count }
        let images = records.map { record in
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
            return "    {" + fields.joined(separator: ", ") + "}"
        }
        return """
            {
              "tool": "wsimg",
              "version": \(JSONWriter.quoted(version)),
              "provider": \(JSONWriter.quoted(provider)),
              "interrupted": \(interrupted),
              "stats": {"total": \(records.count), "successful": \(count(.ok)), "failed": \(count(.failed)), "skipped": \(count(.skipped)), "duration": \(Int((duration * 1000).rounded()))},
              "images": [
            \(images.joined(separator: ",\n"))
              ]
            }

            """
    }
}
