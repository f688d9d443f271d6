import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// Everything `wsimg generate` was asked to do, checked and with defaults filled in.
public struct GenerateOptions: Sendable, Equatable {
    public typealias Provider = ProviderKind

    public enum Verbosity: Int, Sendable, Comparable {
        case quiet, summary, progress, verbose
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    public var worksheet: String
    public var output: String?
    public var imagesDir: String?
    public var embed = false
    public var force = false
    /// nil: `remote` when an endpoint is given (option or WSIMG_ENDPOINT), else `together`.
    public var provider: Provider?
    public var endpoint: String?
    public var batchSize = RemoteProvider.defaultBatchSize
    public var model = TogetherProvider.defaultModel
    public var steps = TogetherProvider.defaultSteps
    public var requestOptions = RequestOptions()
    public var concurrency = 4
    public var retryPolicy = RetryPolicy()
    /// Per request; nil for the provider's default (120 s for Together, 300 s for a batch endpoint).
    public var timeout: Double?
    /// Seconds the whole run may take; nil for no bound.
    public var deadline: Double?
    public var allowInsecureHTTP = false
    public var verbosity = Verbosity.progress
    /// `-v`: every failed attempt gets a line (with `--no-progress` too).
    public var verbose = false
    /// `--strict`: warnings make the exit code 1.
    public var strict = false
    /// Where to write the JSON report, if anywhere.
    public var report: String?
    /// Print the plan instead of generating.
    public var dryRun = false
    /// `--redo`: element ids that get a new picture (a new seed, kept by later runs).
    public var redo: [String] = []
    /// `--variants N`: pictures made for each element this run generates (the first is linked).
    public var variants = 1
    /// Fail at once, instead of waiting, when another run is generating into the same images folder.
    public var noWait = false
    /// `--cache-dir`; nil for the default place.
    public var cacheDir: String?
    public var noCache = false
    /// What to do with a worksheet that has other hard links.
    public var hardLinks = WorksheetFile.HardLinks.refuse
    /// Delete the pictures in the images folder that no element uses.
    public var prune = false
    /// A folder among the worksheets means its subfolders' `*.json` files too.
    public var recursive = false

    public init(worksheet: String) {
        self.worksheet = worksheet
    }

    /// Every worksheet (or folder of them) named; `worksheet` is the first.
    public var worksheets: [String] = []
    /// `--output-dir`: where the worksheets go, each under its own name (default: in place).
    public var outputDir: String?

    /// `-` as the worksheet: read it from stdin.
    public var readsStdin: Bool { worksheet == "-" }

    /// The options that change which picture an element gets (and so its key).
    package static let pictureSettings: Set<String> = ["--provider", "--model", "--steps", "--seed", "--no-enhance", "--endpoint"]

    /// `wsimg pick`: the element and the number of the candidate to link; no requests are sent.
    public struct Pick: Sendable, Equatable {
        public let element: String
        public let number: Int

        package init(element: String, number: Int) {
            self.element = element
            self.number = number
        }
    }

    public var pick: Pick?
}
