import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// What the process's stderr is: a terminal (and how wide) or a file or pipe.
package struct TerminalInfo: Sendable, Equatable {
    package var isTerminal: Bool
    package var isDumb: Bool
    package var width: Int

    package init(isTerminal: Bool, isDumb: Bool = false, width: Int = 80) {
        self.isTerminal = isTerminal
        self.isDumb = isDumb
        self.width = width
    }

    package static func stderr(environment: [String: String]) -> TerminalInfo {
        let tty = isatty(STDERR_FILENO) == 1
        var width = 80
        if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            width = columns
        } else {
            var size = winsize()
            if tty, ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { width = Int(size.ws_col) }
        }
        return TerminalInfo(isTerminal: tty, isDumb: environment["TERM"] == "dumb", width: width)
    }

    package func progressStyle(_ verbosity: GenerateOptions.Verbosity) -> ProgressDisplay.Style {
        switch verbosity {
        case .quiet: .quiet
        case .summary: .summaryOnly
        case .progress, .verbose: isTerminal && !isDumb ? .live(width: width) : .lines
        }
    }
}
