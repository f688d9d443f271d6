import Synchronization
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// Shows a run's progress on stderr: a live, throttled line on a terminal; one line per finished image
/// in logs and pipes. The clock and the output are injected so tests can check exactly what is drawn.
package final class ProgressDisplay: Sendable {
    package enum Style: Sendable, Equatable {
        /// A terminal: one line redrawn in place, `width` columns wide.
        case live(width: Int)
        /// A log or pipe: plain lines, no control characters.
        case lines
        /// Only the summary and errors.
        case summaryOnly
        /// Only errors.
        case quiet
    }

    package struct State {
        package var done = 0
        package var failed = 0
        package var lastLabel = ""
        package var note = ""
        package var lastDraw: Double?
        package var drawnSomething = false
        /// When a log line was last written (lines style), for the heartbeat.
        package var lastLine: Double = 0
        /// The run is stopping for a reason already printed: images it leaves undone are only counted.
        package var stopping = false
        package var total = 0
        /// Images a stop or an interruption left undone: counted apart, never shown as done or failed.
        package var undone = 0
    }

    package let style: Style
    /// Images expected; a run of many worksheets adds each group's as it is planned (`expect`).
    package var total: Int { state.withLock { $0.total } }
    package let verbose: Bool
    private let now: @Sendable () -> Double
    private let write: @Sendable (String) -> Void
    private let startedAt: Double
    private let state = Mutex(State())
    package static let redrawInterval = 0.1
    /// In logs, a sign of life at most this often while nothing else is printed.
    package static let heartbeatInterval = 5.0

    package init(
        style: Style, total: Int, verbose: Bool = false, now: @escaping @Sendable () -> Double,
        write: @escaping @Sendable (String) -> Void
    ) {
        self.style = style
        self.verbose = verbose
        self.now = now
        self.write = write
        self.startedAt = now()
        state.withLock {
            $0.lastLine = startedAt
            $0.total = total
        }
    }

    /// `count` more images to expect (the next group of worksheets of a run).
    package func expect(_ count: Int) {
        state.withLock { $0.total += count }
    }

    /// Called about once a second: refreshes the live line (ETA, waits) or, in a log that has been
    /// quiet for a while, prints a heartbeat.
    package func tick() {
        state.withLock { state in
            switch style {
            case .live:
                redraw(&state, force: false)
            case .lines:
                let time = now()
                guard state.done < state.total, time - state.lastLine >= Self.heartbeatInterval else { return }
                let elapsed = Self.seconds(time - startedAt)
                let waiting = state.note.isEmpty ? "" : "; \(state.note)"
                emitLine("[\(state.done)/\(state.total)] working for \(elapsed)\(state.failed > 0 ? ", \(state.failed) failed" : "")\(waiting)\n", &state)
            case .summaryOnly, .quiet:
                break
            }
        }
    }

    /// Writes one log line; everything in it that came from outside is made safe here.
    private func emitLine(_ line: String, _ state: inout State) {
        write(TerminalText.line(line.hasSuffix("\n") ? String(line.dropLast()) : line) + "\n")
        state.lastLine = now()
    }

    package func handle(_ event: RunEvent) {
        state.withLock { state in
            switch event {
            case .finished(let result):
                if result.status == .interrupted || (state.stopping && result.status != .generated) {
                    state.undone += 1
                    redraw(&state, force: false)
                    return
                }
                state.done += 1
                if case .generated = result.status {} else { state.failed += 1 }
                state.lastLabel = result.job.request.label
                state.note = ""
                if style == .lines { emitLine(finishedLine(result, state: state), &state) }
                redraw(&state, force: state.done == state.total)
            case .attemptFailed(let id, let attempt, let error, let retryIn):
                if let retryIn {
                    state.note = "retrying \(id) in \(Self.seconds(retryIn)): \(error)"
                } else {
                    state.note = "\(id): \(error)"
                }
                if style == .lines || style == .summaryOnly, verbose {
                    // A 429 or 503 is not a failure of the image: the run waits and asks again.
                    let line =
                        error.disposition == .pace
                        ? "\(id) \(error); waiting, then asking again"
                        : "\(id) attempt \(attempt) failed: \(error)" + (retryIn.map { "; retrying in \(Self.seconds($0))" } ?? "")
                    emitLine(line + "\n", &state)
                }
                redraw(&state, force: false)
            case .paused(let seconds, let cause):
                state.note = "waiting \(Self.seconds(seconds)): \(cause)"
                if style == .lines { emitLine("waiting \(Self.seconds(seconds)): \(cause)\n", &state) }
                redraw(&state, force: false)
            case .sent:
                break
            case .stopping(let reason):
                state.stopping = true
                clearLine(&state)
                // Even with --quiet: a stop of the whole run is an error a script must see.
                write(TerminalText.line("stopping: \(reason)") + "\n")
            }
        }
    }

    /// Clears the live line and prints the summary, a line each (one per worksheet, then the total).
    package func finish(summary lines: [String]) {
        state.withLock { state in
            redraw(&state, force: true)
            if case .live = style, state.drawnSomething { write("\n") }
            state.drawnSomething = false
            if style != .quiet { write(lines.map { TerminalText.line($0) + "\n" }.joined()) }
        }
    }

    package func finish(summary: String) { finish(summary: [summary]) }

    /// Prints something worth knowing that is not an error (not with --quiet).
    package func note(_ message: String) {
        guard style != .quiet else { return }
        error(message)
    }

    /// A warning, seen whatever the style and counted for `--strict`.
    package func warn(_ message: String) {
        let warning = Diagnostic.warning(message)
        Warnings.note(warning)
        error(warning.description)
    }

    /// Prints a message that must be seen whatever the style.
    package func error(_ message: String) {
        state.withLock { state in
            clearLine(&state)
            write(TerminalText.line("wsimg: \(message)") + "\n")
        }
    }

    private func redraw(_ state: inout State, force: Bool) {
        guard case .live(let width) = style else { return }
        let time = now()
        if !force, let last = state.lastDraw, time - last < Self.redrawInterval { return }
        state.lastDraw = time
        state.drawnSomething = true
        write("\r\u{1B}[2K" + liveLine(state, width: width, elapsed: time - startedAt))
    }

    private func clearLine(_ state: inout State) {
        guard case .live = style, state.drawnSomething else { return }
        write("\r\u{1B}[2K")
        state.drawnSomething = false
    }

    package func liveLine(_ state: State, width: Int, elapsed: Double) -> String {
        let total = state.total
        var parts = ["\(state.done)/\(total)"]
        if state.failed > 0 { parts.append("\(state.failed) failed") }
        if state.done > 0, elapsed > 0 {
            let rate = Double(state.done) / elapsed
            parts.append(String(Int((rate * 10).rounded())).withDecimal + " img/s")
            if state.done < total { parts.append("ETA " + Self.seconds(Double(total - state.done) / rate)) }
        }
        if state.undone > 0 { parts.append("\(state.undone) not done") }
        let tail = TerminalText.line(state.note.isEmpty ? state.lastLabel : state.note)
        let barWidth = max(10, min(30, width / 4))
        let filled = total == 0 ? barWidth : barWidth * min(state.done, total) / total
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "] "
        let counts = TerminalText.line(parts.joined(separator: "  "))
        let full = bar + counts + (tail.isEmpty ? "" : "  " + tail)
        // On a narrow terminal a wait's reason matters more than the bar, the rate and the ETA.
        if full.count > width - 1, !state.note.isEmpty {
            let short = "\(state.done)/\(total)  " + tail
            return Self.fit(short, width: width - 1)
        }
        return Self.fit(full, width: width - 1)
    }

    package func finishedLine(_ result: GenerationResult, state: State) -> String {
        let head = "[\(state.done)/\(state.total)] \(result.job.label)"
        switch result.status {
        case .generated:
            return "\(head) ok \(Self.seconds(result.duration))  \"\(Self.fit(result.job.request.label, width: 60))\"\n"
        case .failed(let reason):
            return "\(head) failed: \(reason)\n"
        case .interrupted:
            return "\(head) interrupted\n"
        }
    }

    /// Cuts `text` to `width` characters, marking the cut with an ellipsis.
    package static func fit(_ text: String, width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return String(text.prefix(max(0, width))) }
        return String(text.prefix(width - 1)) + "…"
    }

    package static func seconds(_ value: Double) -> String {
        guard value.isFinite, value >= 0, value < 1e9 else { return "?" }
        if value < 10 { return String(Int((value * 10).rounded())).withDecimal + "s" }
        if value < 120 { return "\(Int(value.rounded()))s" }
        return "\(Int(value / 60))m\(Int(value) % 60)s"
    }
}

extension String {
    /// "123" (tenths) → "12.3".
    package var withDecimal: String {
        let digits = count < 2 ? String(repeating: "0", count: 2 - count) + self : self
        return digits.dropLast() + "." + digits.suffix(1)
    }
}
