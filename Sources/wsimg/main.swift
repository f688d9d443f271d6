import Foundation
import WsimgCore

// Ctrl-C, SIGTERM, SIGHUP or a closed output pipe: cancel the run, which keeps what it has and writes
// the worksheet. Commands with nothing to save, and a second interruption, exit at once.
for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { signal(number, SIG_IGN) }
let run = Task {
    await CLI.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
}
Interruption.install {
    if run.isCancelled || Interruption.exitsAtOnce.load(ordering: .relaxed) { _exit(ExitCode.interrupted) }
    run.cancel()
}
let signals = [SIGINT, SIGTERM, SIGHUP].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { Interruption.trigger() }
    source.resume()
    return source
}
let code = await run.value
withExtendedLifetime(signals) {}
exit(code)
