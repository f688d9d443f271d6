import Synchronization
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

final class Recorder: Sendable {
    private let lines = Mutex<[String]>([])
    private let time = Mutex<Double>(0)
    func write(_ text: String) { lines.withLock { $0.append(text) } }
    var output: [String] { lines.withLock { $0 } }
    var now: Double { time.withLock { $0 } }
    func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
}

@Suite struct ProgressDisplayTests {
    func result(_ id: String, _ status: GenerationResult.Status, caption: String = "Friendly dinosaur") -> GenerationResult {
        GenerationResult(
            job: GenerationJob(request: ImageRequest(id: id, caption: caption, prompt: "p", promptToSend: "p", width: 256, height: 256, seed: 0), key: "k"),
            status: status, attempts: 1, duration: 1.84)
    }

    func display(_ style: ProgressDisplay.Style, total: Int, recorder: Recorder) -> ProgressDisplay {
        ProgressDisplay(style: style, total: total, now: { recorder.now }, write: { recorder.write($0) })
    }

    @Test func logsOneLinePerImageWithoutControlCharacters() {
        let recorder = Recorder()
        let display = display(.lines, total: 2, recorder: recorder)
        display.handle(.finished(result("0-3", .generated)))
        display.handle(.finished(result("0-4", .failed(.own("server error 503")))))
        display.finish(summary: "Generated 1/2 images (1 failed) in 2.0s")
        #expect(
            recorder.output == [
                "[1/2] 0-3 ok 1.8s  \"Friendly dinosaur\"\n",
                "[2/2] 0-4 failed: server error 503\n",
                "Generated 1/2 images (1 failed) in 2.0s\n",
            ])
        #expect(!recorder.output.joined().contains("\u{1B}"))
    }

    @Test func throttlesLiveRedrawsButAlwaysDrawsTheEnd() {
        let recorder = Recorder()
        let display = display(.live(width: 60), total: 3, recorder: recorder)
        display.handle(.finished(result("0-0", .generated)))
        recorder.advance(0.05)
        display.handle(.finished(result("0-1", .generated)))  // within 100 ms: not drawn
        #expect(recorder.output.count == 1)
        recorder.advance(0.1)
        display.handle(.finished(result("0-2", .generated)))
        display.finish(summary: "done")
        let draws = recorder.output.filter { $0.hasPrefix("\r") }
        #expect(draws.count >= 2)
        #expect(draws.last!.contains("3/3"))
        #expect(recorder.output.last == "done\n")
        for draw in draws {
            let visible = draw.replacingAll("\r\u{1B}[2K", with: "")
            #expect(visible.count <= 59)
        }
    }

    @Test(arguments: [40, 80, 120])
    func fitsTheLiveLineToTheWidth(width: Int) {
        let recorder = Recorder()
        let display = display(.live(width: width), total: 10, recorder: recorder)
        recorder.advance(2)
        display.handle(.finished(result("0-0", .generated, caption: String(repeating: "Very long caption ", count: 20))))
        let line = recorder.output.last!.replacingAll("\r\u{1B}[2K", with: "")
        #expect(line.count == width - 1)
        #expect(line.hasSuffix("…"))
        #expect(line.contains("1/10"))
    }

    @Test func logsAHeartbeatWhenQuietForAWhile() {
        let recorder = Recorder()
        let display = display(.lines, total: 3, recorder: recorder)
        display.handle(.finished(result("0-0", .generated)))
        recorder.advance(4)
        display.tick()
        #expect(recorder.output.count == 1)
        recorder.advance(1.5)
        display.handle(.paused(seconds: 4, cause: .refused(overloaded: false)))
        recorder.advance(5)
        display.tick()
        display.tick()
        #expect(
            recorder.output == [
                "[1/3] 0-0 ok 1.8s  \"Friendly dinosaur\"\n",
                "waiting 4.0s: rate limited\n",
                "[1/3] working for 11s; waiting 4.0s: rate limited\n",
            ])
    }

    @Test func showsWaitsOnTheLiveLine() {
        let recorder = Recorder()
        let display = display(.live(width: 80), total: 2, recorder: recorder)
        display.handle(.paused(seconds: 4, cause: .refused(overloaded: false)))
        #expect(recorder.output.last?.contains("waiting 4.0s: rate limited") == true)
    }

    @Test func quietPrintsOnlyErrors() {
        let recorder = Recorder()
        let display = display(.quiet, total: 1, recorder: recorder)
        display.handle(.finished(result("0-0", .generated)))
        display.error("0-1: boom")
        display.finish(summary: "Generated 1/1 images in 0.1s")
        #expect(recorder.output == ["wsimg: 0-1: boom\n"])
    }

    @Test func summaryReadsLikeTheIssueAsks() throws {
        let text = #"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"a"}},{"type":"image-placeholder","properties":{"imagePrompt":""}}]}]}"#
        let sheet = try Worksheet(source: Array(text.utf8))
        let store = ImageStore(directory: "/nonexistent", urlPrefix: "x")
        let plan = GenerationPlan(worksheet: sheet, provider: PlaceholderProvider(), options: RequestOptions(), store: store, force: false)
        let job = try #require(plan.jobs.first)
        let update = WorksheetUpdate(plan: plan, results: [GenerationResult(job: job, status: .generated, attempts: 1, duration: 1)], store: store, embed: false)
        let summary = RunSummary(outcome: update, duration: 12.34, interrupted: false)
        #expect(summary.line == "1 new, 0 already present, 1 skipped (no prompt), 0 failed (12.3s)")
        #expect(summary.problemLines.isEmpty)
        let broken = try Worksheet(source: Array(#"{"pages":[{"elements":[{"type":"image-placeholder","properties":{"imagePrompt":"a","caption":"Cat","width":"wide"}}]}]}"#.utf8))
        let failed = WorksheetUpdate(
            plan: GenerationPlan(
                worksheet: broken, provider: PlaceholderProvider(), options: RequestOptions(), store: store,
                force: false), results: [], store: store, embed: false)
        let lines = RunSummary(outcome: failed, duration: 1, interrupted: false, destination: "w.json, w_images/")
        #expect(lines.line == "0 new, 0 already present, 1 failed → w.json, w_images/ (1.0s)")
        #expect(lines.problemLines == ["0-0 \"Cat\": width is a string, not a number"])
    }

    /// Ctrl-C: what was never started is counted apart, not drawn as done and failed.
    @Test func anInterruptionNeverShowsUndoneImagesAsFailed() {
        let recorder = Recorder()
        let live = display(.live(width: 100), total: 4, recorder: recorder)
        live.handle(.finished(result("0-0", .generated)))
        for id in ["0-1", "0-2", "0-3"] { live.handle(.finished(result(id, .interrupted))) }
        live.finish(summary: "Interrupted")
        let last = recorder.output.filter { $0.hasPrefix("\r") }.last ?? ""
        #expect(last.contains("1/4") && last.contains("3 not done"), "\(last)")
        #expect(!last.contains("failed") && !last.contains("[##########"))
        let lines = Recorder()
        let log = display(.lines, total: 2, recorder: lines)
        log.handle(.finished(result("0-1", .interrupted)))
        #expect(lines.output.isEmpty)
    }

    /// On a narrow terminal the reason for a wait stays in view; the bar and the rate make room.
    @Test func aNarrowTerminalKeepsTheWaitReason() {
        let recorder = Recorder()
        let narrow = display(.live(width: 40), total: 12, recorder: recorder)
        recorder.advance(2)
        narrow.handle(.finished(result("0-0", .generated)))
        recorder.advance(1)
        narrow.handle(.paused(seconds: 12, cause: .refused(overloaded: false)))
        let line = recorder.output.last ?? ""
        #expect(line.contains("waiting 12s: rate limited"), "\(line)")
        #expect(line.replacingOccurrences(of: "\r\u{1B}[2K", with: "").count <= 39)
    }
}

@Suite struct InterruptionPolicyTests {
    @Test func theSecondInterruptionOnlyBoundsTheCleanStopAndTheThirdEndsIt() {
        #expect(Interruption.response(toInterruption: 1, nothingToSave: false) == .stopCleanly)
        #expect(Interruption.response(toInterruption: 2, nothingToSave: false) == .exitAfter(seconds: Interruption.graceAfterSecond))
        #expect(Interruption.response(toInterruption: 3, nothingToSave: false) == .exitNow)
        #expect(Interruption.response(toInterruption: 1, nothingToSave: true) == .exitNow)
    }
}

@Suite struct DiagnosticTests {
    @Test func aWarningSaysSoAndANoteDoesNot() {
        #expect(Diagnostic.warning("no cache").description == "warning: no cache")
        #expect(Diagnostic.note("warning: in a file name").severity == .note)
    }
}
