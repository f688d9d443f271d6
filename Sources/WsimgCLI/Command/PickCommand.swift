import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// `wsimg pick WORKSHEET ID N`: links candidate N of element ID (as `wsimg candidates` numbers them)
/// and keeps it for later runs, until the element's prompt or size changes. No request is sent; the
/// worksheet is written as `generate` writes it (`--embed`, `-o`).
package enum PickCommand {
    static let excluded: Set<String> = [
        "--redo", "--variants", "--dry-run", "--force", "--prune", "--recursive", "--output-dir", "--deadline", "--max-wait", "--retries",
        "--backoff", "--timeout", "--concurrency", "--batch-size", "--no-cache", "--cache-dir", "--api-key",
    ]
    package static let specs = GenerateOptions.specs.filter { !excluded.contains($0.longName) }

    package static func options(_ parsed: ParsedArguments) throws(UsageError) -> GenerateOptions {
        guard parsed.positionals.count == 3 else {
            throw UsageError("wsimg pick needs a worksheet, an element and a candidate's number: wsimg pick WORKSHEET ID N ('wsimg candidates WORKSHEET' lists them)")
        }
        let number = parsed.positionals[2]
        guard let value = Int(number), value >= 1 else {
            throw UsageError("the candidate's number is 1 or more, as 'wsimg candidates' lists them, not '\(TerminalText.safe(number))'")
        }
        var worksheetOnly = parsed
        worksheetOnly.positionals = [parsed.positionals[0]]
        var options = try GenerateOptions(worksheetOnly)
        guard !options.readsStdin else { throw UsageError("wsimg pick reads a worksheet file, not stdin") }
        options.pick = GenerateOptions.Pick(element: parsed.positionals[1], number: value)
        return options
    }
}
