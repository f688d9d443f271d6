import Foundation
import WsimgBasics
import WsimgCLI
import WsimgRun

// Ctrl-C, SIGTERM, SIGHUP or a closed output pipe: cancel the run, which keeps what it has and writes
// the worksheet (see `Interruption.response(toInterruption:nothingToSave:)` for the repeats).
for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { signal(number, SIG_IGN) }
let run = Task {
    // Names that are not UTF-8 stay whole (FileNameBytes), where CommandLine.arguments would repair them.
    await CLI.run(FileNameBytes.commandLineArguments(), environment: ProcessInfo.processInfo.environment)
}
Interruption.install {
    switch Interruption.next() {
    case .stopCleanly: run.cancel()
    case .exitAfter(let seconds): DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { _exit(ExitCode.interrupted) }
    case .exitNow: _exit(ExitCode.interrupted)
    }
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
