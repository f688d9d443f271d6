import Foundation
import WsimgCore

// Ctrl-C or SIGTERM: cancel the run, which keeps what it has and writes the worksheet.
// A second one exits at once.
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let run = Task {
    await CLI.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
}
let signals = [SIGINT, SIGTERM].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler {
        if run.isCancelled { _exit(ExitCode.interrupted) }
        run.cancel()
    }
    source.resume()
    return source
}
let code = await run.value
withExtendedLifetime(signals) {}
exit(code)
