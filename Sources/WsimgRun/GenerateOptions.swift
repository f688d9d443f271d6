import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// Everything `wsimg generate` was asked to do, checked and with defaults filled in.
package struct GenerateOptions: Sendable, Equatable {
    package typealias Provider = ProviderKind

    package enum Verbosity: Int, Sendable, Comparable {
        case quiet, summary, progress, verbose
        package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    package var worksheet: String
    package var output: String?
    package var imagesDir: String?
    package var embed = false
    package var force = false
    /// nil: `remote` when an endpoint is given (option or WSIMG_ENDPOINT), else `together`.
    package var provider: Provider?
    package var endpoint: String?
    package var batchSize = RemoteProvider.defaultBatchSize
    package var model = TogetherProvider.defaultModel
    package var steps = TogetherProvider.defaultSteps
    package var requestOptions = RequestOptions()
    package var concurrency = 4
    package var retryPolicy = RetryPolicy()
    /// Per request; nil for the provider's default (120 s for Together, 300 s for a batch endpoint).
    package var timeout: Double?
    /// Seconds the whole run may take; nil for no bound.
    package var deadline: Double?
    package var allowInsecureHTTP = false
    package var verbosity = Verbosity.progress
    /// `-v`: every failed attempt gets a line (with `--no-progress` too).
    package var verbose = false
    /// `--strict`: warnings make the exit code 1.
    package var strict = false
    /// Where to write the JSON report, if anywhere.
    package var report: String?
    /// Print the plan instead of generating.
    package var dryRun = false
    /// `--redo`: element ids that get a new picture (a new seed, kept by later runs).
    package var redo: [String] = []
    /// `--variants N`: pictures made for each element this run generates (the first is linked).
    package var variants = 1
    /// Fail at once, instead of waiting, when another run is generating into the same images folder.
    package var noWait = false
    /// `--cache-dir`; nil for the default place.
    package var cacheDir: String?
    package var noCache = false
    /// What to do with a worksheet that has other hard links.
    package var hardLinks = WorksheetFile.HardLinks.refuse
    /// Delete the pictures in the images folder that no element uses.
    package var prune = false
    /// A folder among the worksheets means its subfolders' `*.json` files too.
    package var recursive = false

    package init(worksheet: String) {
        self.worksheet = worksheet
    }

    /// Every worksheet (or folder of them) named; `worksheet` is the first.
    package var worksheets: [String] = []
    /// `--output-dir`: where the worksheets go, each under its own name (default: in place).
    package var outputDir: String?

    /// `-` as the worksheet: read it from stdin.
    package var readsStdin: Bool { worksheet == "-" }

    /// The options that change which picture an element gets (and so its key).
    package static let pictureSettings: Set<String> = ["--provider", "--model", "--steps", "--seed", "--no-enhance", "--endpoint"]

    /// `wsimg pick`: the element and the number of the candidate to link; no requests are sent.
    package struct Pick: Sendable, Equatable {
        package let element: String
        package let number: Int

        package init(element: String, number: Int) {
            self.element = element
            self.number = number
        }
    }

    package var pick: Pick?
}
