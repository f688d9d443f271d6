import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// `preview --open`: hands the page to the desktop's browser (`xdg-open`, `open` on macOS) when there
/// is a display to show it on; otherwise says where the page is. It waits for the opener (which
/// hands the page to the browser and returns) at most a few seconds, never for the browser.
enum PageOpener {
    /// The program that opens a file on this desktop, or nil when there is no display (a CI job, ssh).
    static func opener(environment: [String: String]) -> String? {
        #if os(macOS)
            return "open"
        #else
            let display = ["DISPLAY", "WAYLAND_DISPLAY"].contains { !(environment[$0] ?? "").isEmpty }
            return display ? "xdg-open" : nil
        #endif
    }

    static func open(_ path: String, shownAs name: String, environment: [String: String]) {
        guard let program = opener(environment: environment) else {
            Console.report("no display to open the page on: open \(name) in a browser")
            return
        }
        var pid: pid_t = 0
        let arguments = [program, path]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        guard posix_spawnp(&pid, program, nil, nil, &argv, environ) == 0 else {
            Console.report("could not start \(program) to open the page: open \(name) in a browser")
            return
        }
        var status: Int32 = 0
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(50_000)
        }
    }
}
