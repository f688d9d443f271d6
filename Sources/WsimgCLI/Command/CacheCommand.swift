import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// `wsimg cache [clean [--older-than DAYS]]`: where the picture cache is and what it holds, and
/// emptying it (as `go clean -cache` and `pip cache purge` do).
struct CacheCommand {
    static let specs: [OptionSpec] = [
        OptionSpec(["--cache-dir"], value: "DIR", help: "the cache's folder (default: $WSIMG_CACHE_DIR, else ~/.cache/wsimg)", kind: .folder),
        OptionSpec(["--older-than"], value: "DAYS", help: "with clean: only pictures not used for DAYS days"),
        OptionSpec(["-h", "--help"], help: "show this help"),
    ]

    let clean: Bool
    let olderThanDays: Double?
    let cacheDir: String?
    let environment: [String: String]

    init(_ parsed: ParsedArguments, environment: [String: String]) throws(UsageError) {
        switch parsed.positionals {
        case []: clean = false
        case ["clean"]: clean = true
        default: throw UsageError("Usage: wsimg cache [clean [--older-than DAYS]]")
        }
        if let text = parsed.value("--older-than") {
            guard clean else { throw UsageError("--older-than goes with 'wsimg cache clean'") }
            guard let days = Double(text), days.isFinite, days >= 0, days <= 36_500 else {
                throw UsageError("--older-than must be a number of days, not '\(text)'")
            }
            olderThanDays = days
        } else {
            olderThanDays = nil
        }
        cacheDir = parsed.value("--cache-dir")
        self.environment = environment
    }

    func run() -> Int32 {
        guard let root = StateFolders.cache(option: cacheDir, disabled: false, environment: environment) else {
            Console.err("wsimg: no cache folder: set WSIMG_CACHE_DIR or HOME\n")
            return ExitCode.usage
        }
        let limit: Int
        do {
            limit = try PictureCache.limit(environment: environment)
        } catch {
            Console.err(TerminalText.line("wsimg: \(error)") + "\n")
            return ExitCode.usage
        }
        let cache = PictureCache(root: root, limit: limit)
        // As `generate` does: a cache folder of another user, or one anybody may write to, is not used.
        if FileSystem.fileExists(atPath: root), let problem = SafeOpen.problemWithFolder(root, allowGroupWrite: true) {
            Console.report("not using the picture cache \(Paths.display(root)): \(problem)")
            return ExitCode.usage
        }
        if clean {
            let removed = cache.clean(unusedFor: olderThanDays.map { $0 * 86_400 })
            Console.out("Removed \(removed.count) picture\(removed.count == 1 ? "" : "s") (\(Self.mebibytes(removed.bytes))) from \(TerminalText.line(root))\n")
            return ExitCode.success
        }
        let held = cache.contents()
        Console.out(
            """
            Cache:    \(TerminalText.line(root))
            Pictures: \(held.count)
            Size:     \(Self.mebibytes(held.bytes)) of \(Self.mebibytes(limit)) (WSIMG_CACHE_SIZE); the least recently used go first

            """)
        return ExitCode.success
    }

    static func mebibytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
}
