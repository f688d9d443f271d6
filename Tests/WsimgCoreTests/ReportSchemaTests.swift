import Foundation
import Testing

@testable import WsimgBasics
@testable import WsimgGeneration
@testable import WsimgLibrary
@testable import WsimgNetwork
@testable import WsimgRun

/// Report schema 2, pinned: the report scripts read, for every `stop.reason` and several worksheets,
/// must stay as `Tests/Golden/report-schema-2.json` has it (regenerate with WSIMG_UPDATE_GOLDEN=1
/// and review the diff).
@Suite struct ReportSchemaTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/report-schema-2.json").path

    static let stops: [RunReport.Stop?] = [
        nil,
        .engine(.upstream(.unauthorized(status: 401, message: "Invalid API key"))),
        .engine(.output(.cannotWrite(path: "lesson_images/0-1-abc.png", reason: "No space left on device"))),
        .engine(.deadline(seconds: 60)),
        .engine(.overloaded(OverloadStop(error: .rateLimited(retryAfter: nil), waitAsked: nil, waited: 300, maxWait: 300))),
        .engine(.unreachable(host: "api.together.xyz", error: .couldNotConnect("Connection refused"))),
        .interrupted,
        .usage("no worksheets (*.json) in lessons"),
    ]

    static func report(stop: RunReport.Stop?) -> RunReport {
        var report = RunReport()
        report.version = "0.0.0-golden"
        report.provider = "together"
        report.exitCode = stop == nil ? 0 : stop == .interrupted ? 130 : 2
        report.interrupted = stop == .interrupted
        report.stop = stop
        report.duration = 4.2
        var totals = RunSummary.Total()
        (totals.generated, totals.present, totals.fromCache, totals.failed, totals.skipped) = (2, 1, 1, 1, 1)
        (totals.rateLimited, totals.waited, totals.paced) = (3, 4.2, 1.5)
        (totals.requestsSent, totals.picturesAsked, totals.cost) = (6, 6, 0.003321)
        report.totals = totals
        var skipped = WorksheetUpdate.Record(
            id: "0-2", caption: nil, status: .skipped, file: nil, width: nil, height: nil, attempts: 0, duration: 0, error: nil)
        skipped.note = "no imagePrompt"
        report.worksheets = [
            RunReport.Sheet(
                worksheet: "lesson.json", output: "lesson.json", imagesDir: "lesson_images",
                images: [
                    WorksheetUpdate.Record(
                        id: "0-1", caption: "Кіт", status: .ok, file: "/nowhere/lesson_images/0-1-6ce80ed49d66.png", width: 400, height: 304,
                        attempts: 1, duration: 1.84, error: nil),
                    skipped,
                ]),
            RunReport.Sheet(
                worksheet: "other.json", output: "out/other.json", imagesDir: "out/other_images",
                images: [
                    WorksheetUpdate.Record(
                        id: "element-0-1-1763629200000-k3j9x2a", caption: "Sova \"night\"", status: .failed, file: nil, width: 512,
                        height: 384, attempts: 3, duration: 2.5, error: "the server could not generate it: boom")
                ]),
            RunReport.Sheet(worksheet: "broken.json", output: "broken.json", imagesDir: "broken_images", error: "line 1, column 1: the file is empty"),
        ]
        return report
    }

    @Test func reportSchema2IsAsPinned() throws {
        let text = Self.stops.map { Self.report(stop: $0).json() }.joined(separator: "\n")
        if ProcessInfo.processInfo.environment["WSIMG_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: Self.golden, atomically: true, encoding: .utf8)
        }
        let pinned = try String(contentsOfFile: Self.golden, encoding: .utf8)
        #expect(text == pinned, "the report's JSON differs from Tests/Golden/report-schema-2.json")
        // Every stop reason the README documents is among them.
        for reason in ["upstream", "output", "deadline", "overloaded", "unreachable", "interrupted", "usage"] {
            #expect(pinned.contains(#""stop": {"reason": "\#(reason)""#), "\(reason)")
        }
    }
}
