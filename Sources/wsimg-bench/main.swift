import FakeUpstream
import Foundation
import Synchronization
import WsimgBasics
import WsimgCLI
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

// `make bench`: runs the release wsimg against a loopback fake of Together and prints, per scenario,
// wall time against the ideal, CPU and peak memory of the wsimg process, and what the upstream saw.

struct Scenario {
    let name: String
    let images: Int
    let concurrency: Int
    let latency: Double
    var sizes: [(Int, Int)] = [(1024, 1024)]
    var rateLimit: Int?
    /// Run on the previous scenario's folder (everything already generated).
    var reuse = false
    /// wsimg processes at once, each on its own worksheet of `images / processes` pictures, one key.
    var processes = 1
    /// Whether those processes share their pace (one state folder) or each keeps its own (as before 0.2).
    var sharedPace = true
    /// Worksheets one process runs at once; half of each one's prompts are the same in all of them.
    var worksheets = 1
    /// `generate` or `prompts`, and options beyond `-j`.
    var command = "generate"
    var extra: [String] = []
    /// Bytes of `[0,0,…]` beside the picture in every answer: what wsimg skips must cost no memory.
    var padding = 0
    /// Whether the rate-limited fake sends Together's `x-ratelimit-*` headers; a limit that changes.
    var headers = false
    var schedule: [(after: Double, perSecond: Int)] = []
    /// Through the web app's batch route (remote mode), Together's limit behind it.
    var remote = false

    var ideal: Double {
        if let rateLimit, !schedule.isEmpty {
            // Requests allowed in each stretch of the schedule, until all are made.
            var left = Double(images)
            var time = 0.0
            let stretches = [(0.0, rateLimit)] + schedule
            for (index, stretch) in stretches.enumerated() {
                let end = index + 1 < stretches.count ? stretches[index + 1].0 : .infinity
                let possible = (end - stretch.0) * Double(stretch.1)
                if possible >= left { return time + left / Double(stretch.1) }
                left -= possible
                time = end
            }
            return time
        }
        if let rateLimit { return Double(images) / Double(rateLimit) }
        return reuse ? 0 : (Double(images) / Double(concurrency)).rounded(.up) * latency
    }
}

struct Measurement {
    let wall: Double
    let cpu: Double
    let peakRSS: Int
    let exitCode: Int32
}

/// Runs a command under GNU time (a small process, so the child's peak memory is its own and not
/// inherited from this one), returning its wall time, CPU time and peak RSS.
func measure(_ arguments: [String], in folder: String, environment: [String: String], tag: String = "") -> Measurement {
    let stats = folder + "/time.txt"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
    // WSIMG_BENCH_PROFILE=FILE records a perf profile of wsimg per scenario, FILE.1, FILE.2… (perf is
    // in Debian's linux-perf).
    let profile = ProcessInfo.processInfo.environment["WSIMG_BENCH_PROFILE"].map { ["perf", "record", "-F", "499", "-g", "-o", $0 + tag, "--"] } ?? []
    process.arguments = ["-f", "%e %U %S %M", "-o", stats, "--"] + profile + arguments
    process.environment = environment
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle(forWritingAtPath: folder + "/stderr.log") ?? FileHandle.nullDevice
    let start = Date()
    do {
        try process.run()
    } catch {
        fatalError("cannot run /usr/bin/time (Debian package 'time'): \(error)")
    }
    process.waitUntilExit()
    let wall = Date().timeIntervalSince(start)
    let fields = ((try? String(contentsOfFile: stats, encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace)
        .suffix(4).compactMap { Double($0) }
    let (cpu, peak) = fields.count == 4 ? (fields[1] + fields[2], Int(fields[3]) * 1024) : (0, 0)
    return Measurement(wall: wall, cpu: cpu, peakRSS: peak, exitCode: process.terminationStatus)
}

func worksheet(images: Int, sizes: [(Int, Int)], tag: String = "") -> String {
    worksheet(prompts: (0..<images).map { "Benchmark picture number \($0)\(tag) of a friendly animal" }, sizes: sizes)
}

func worksheet(prompts: [String], sizes: [(Int, Int)]) -> String {
    var elements: [String] = []
    for (i, prompt) in prompts.enumerated() {
        let (w, h) = sizes[i % sizes.count]
        elements.append(#"{"type":"image-placeholder","properties":{"imagePrompt":\#(JSONWriter.quoted(prompt)),"caption":"Picture \#(i)","width":\#(w),"height":\#(h)}}"#)
    }
    var pages: [String] = []
    for start in stride(from: 0, to: elements.count, by: 10) {
        pages.append(#"{"elements":[\#(elements[start..<min(start + 10, elements.count)].joined(separator: ","))]}"#)
    }
    return #"{"title":"bench","pages":[\#(pages.joined(separator: ","))]}"#
}

// WSIMG_BINARY measures another build (an older release, side by side with this one).
let binary =
    ProcessInfo.processInfo.environment["WSIMG_BINARY"].flatMap { $0.isEmpty ? nil : $0 }
    ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wsimg").path
let mixed = [(512, 512), (1024, 1024), (400, 300), (768, 512), (1024, 768)]
var scenarios = [
    Scenario(name: "1. 200 mixed, 250 ms", images: 200, concurrency: 16, latency: 0.25, sizes: mixed),
    Scenario(name: "2. same, nothing to do", images: 200, concurrency: 16, latency: 0.25, sizes: mixed, reuse: true),
    Scenario(name: "3. 1000 at 1024², 20 ms", images: 1000, concurrency: 16, latency: 0.02),
    Scenario(name: "4. limit 8/s, 80 images", images: 80, concurrency: 16, latency: 0.25, sizes: [(512, 512)], rateLimit: 8),
    Scenario(name: "5. limit 6/s, 60 images", images: 60, concurrency: 4, latency: 0.25, sizes: [(512, 512)], rateLimit: 6),
    // Against 3: peak memory must not grow with the number of images.
    Scenario(name: "6. 100 at 1024², 20 ms", images: 100, concurrency: 16, latency: 0.02),
    // Three runs at once on one key (as `make -j3`), sharing the pace, and each pacing alone.
    Scenario(name: "7. 3 runs, 6/s, shared", images: 120, concurrency: 4, latency: 0.25, sizes: [(512, 512)], rateLimit: 6, processes: 3),
    Scenario(
        name: "8. 3 runs, 6/s, alone", images: 120, concurrency: 4, latency: 0.25, sizes: [(512, 512)], rateLimit: 6, processes: 3,
        sharedPace: false),
    // Three worksheets in one run, half of each one's 40 prompts the same in all: 80 requests for 120 pictures.
    Scenario(name: "9. 3 sheets, half shared", images: 120, concurrency: 16, latency: 0.25, sizes: [(512, 512)], worksheets: 3),
    // The web app's form: 100 embedded 1024² pictures (a worksheet of about 220 MiB), then a run with
    // nothing to do and `prompts` on it; then three times as many (about 670 MiB). The worksheet is
    // streamed, so peak memory must stay the same for both sizes (and far under 128 MiB).
    Scenario(name: "10. 100 embedded 1024²", images: 100, concurrency: 16, latency: 0.02, extra: ["--embed"]),
    Scenario(name: "11. same, nothing to do", images: 100, concurrency: 16, latency: 0.02, reuse: true, extra: ["--embed"]),
    Scenario(name: "12. prompts on it", images: 100, concurrency: 16, latency: 0.02, reuse: true, command: "prompts"),
    Scenario(name: "13. 300 embedded 1024²", images: 300, concurrency: 16, latency: 0.02, extra: ["--embed"]),
    Scenario(name: "14. same, nothing to do", images: 300, concurrency: 16, latency: 0.02, reuse: true, extra: ["--embed"]),
    Scenario(name: "15. prompts on it", images: 300, concurrency: 16, latency: 0.02, reuse: true, command: "prompts"),
    // Answers of 60 MiB (an array of zeros beside a 1024² picture): peak memory must stay flat (< 100 MiB).
    Scenario(name: "16. 60 MiB answers", images: 4, concurrency: 2, latency: 0.02, padding: 60 << 20),
    // Pacing by Together's x-ratelimit-* headers (6/s, 0.3 s latency), beside the same without headers
    // (wsimg learns the limit from 429s, as 0.3.0 always did), then a limit that changes mid-run.
    Scenario(name: "17. headers 6/s, -j 16", images: 60, concurrency: 16, latency: 0.3, sizes: [(512, 512)], rateLimit: 6, headers: true),
    Scenario(name: "18. no headers 6/s, -j 16", images: 60, concurrency: 16, latency: 0.3, sizes: [(512, 512)], rateLimit: 6),
    Scenario(
        name: "19. headers, 3 runs × 20", images: 60, concurrency: 16, latency: 0.3, sizes: [(512, 512)], rateLimit: 6, processes: 3,
        headers: true),
    Scenario(name: "20. no headers, 3 runs × 20", images: 60, concurrency: 16, latency: 0.3, sizes: [(512, 512)], rateLimit: 6, processes: 3),
    Scenario(
        name: "21. headers 6→3→8/s", images: 90, concurrency: 16, latency: 0.3, sizes: [(512, 512)], rateLimit: 6, headers: true,
        schedule: [(4, 3), (8, 8)]),
    // Remote mode: the seed's route (batches of 8, each image tried 3 times, 1 s and 2 s apart) in front
    // of a 6/s limit; "429s" counts the route's refused tries.
    Scenario(name: "22. remote, upstream 6/s", images: 60, concurrency: 4, latency: 0.3, sizes: [(512, 512)], rateLimit: 6, remote: true),
]
if CommandLine.arguments.count > 1 {
    let wanted = CommandLine.arguments.dropFirst().compactMap(Int.init)
    // A scenario that reuses the one before it comes with it.
    var keep = Set(wanted)
    for (index, scenario) in scenarios.enumerated() where scenario.reuse && keep.contains(index) { keep.insert(index + 1) }
    scenarios = scenarios.enumerated().filter { keep.contains($0.offset + 1) }.map(\.element)
}

func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

let header = ["scenario", "images", "-j", "latency", "ideal s", "wall s", "ratio", "CPU ms/img", "peak MiB", "requests", "conns", "429s", "exit"]
let widths = [26, 7, 4, 8, 8, 8, 6, 11, 9, 9, 6, 5, 4]
print(zip(header, widths).map { pad($0, $1) }.joined(separator: " "))
var folder = ""
var previousUpstream: FakeTogether?
for scenario in scenarios {
    if !scenario.reuse {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("wsimg-bench-\(UUID().uuidString)").path
        for run in 0..<scenario.processes {
            try FileManager.default.createDirectory(atPath: folder + "/run\(run)", withIntermediateDirectories: true)
            guard scenario.worksheets > 1 else {
                try worksheet(images: scenario.images / scenario.processes, sizes: scenario.sizes, tag: scenario.processes > 1 ? " run \(run)" : "")
                    .write(toFile: folder + "/run\(run)/bench.json", atomically: true, encoding: .utf8)
                continue
            }
            let each = scenario.images / scenario.worksheets
            for sheet in 0..<scenario.worksheets {
                let prompts = (0..<each).map { $0 < each / 2 ? "Shared benchmark picture \($0)" : "Benchmark picture \($0) of sheet \(sheet)" }
                try worksheet(prompts: prompts, sizes: scenario.sizes).write(toFile: folder + "/run\(run)/sheet\(sheet).json", atomically: true, encoding: .utf8)
            }
        }
    }
    let padding = scenario.padding
    let route = scenario.remote ? try FakeBatchRoute(latency: scenario.latency, upstream: SlidingWindowLimiter(perSecond: scenario.rateLimit ?? 6)) : nil
    // A scenario that reuses the one before it talks to the same upstream: a picture is the API's it
    // came from (its address is part of the key), so another fake would make every picture new.
    if !scenario.reuse || previousUpstream == nil {
        previousUpstream?.stop()
        previousUpstream = try FakeTogether(
            latency: scenario.latency,
            rateLimit: scenario.rateLimit.map { SlidingWindowLimiter(perSecond: $0, sendsHeaders: scenario.headers, schedule: scenario.schedule) },
            realistic: true,
            script: { _, _ in padding > 0 ? .padded(padding) : .none })
    }
    let upstream = previousUpstream!
    let requestsBefore = upstream.requestCount
    // Make the fake's answers before timing, so its own encoding does not count.
    for (w, h) in scenario.sizes { _ = FakeTogether.realisticBody(width: SizeRules.normalise(w), height: SizeRules.normalise(h)) }
    let verbose = ProcessInfo.processInfo.environment["WSIMG_BENCH_VERBOSE"] != nil
    // All runs at once; their pace state in the scenario's folder (shared) or in each run's own.
    let scenarioFolder = folder
    let runs = (0..<scenario.processes).map { scenarioFolder + "/run\($0)" }
    let measurements = Mutex<[Measurement]>([])
    // A thread each (concurrentPerform would run only as many at once as there are cores).
    let group = DispatchGroup()
    for index in runs.indices {
        group.enter()
        Thread {
            defer { group.leave() }
            let run = runs[index]
            _ = FileManager.default.createFile(atPath: run + "/stderr.log", contents: nil)
            let result = measure(
                [binary, scenario.command] + (scenario.worksheets > 1 ? (0..<scenario.worksheets).map { run + "/sheet\($0).json" } : [run + "/bench.json"])
                    + (scenario.command == "generate" ? ["-j", String(scenario.concurrency), verbose ? "-v" : "--no-progress"] : []) + scenario.extra,
                in: run,
                environment: [
                    "TOGETHER_API_KEY": "bench-key", "TOGETHER_BASE_URL": upstream.baseURL, "PATH": "/usr/bin:/bin",
                    "XDG_RUNTIME_DIR": scenario.sharedPace ? scenarioFolder : run,
                ].merging(route.map { ["WSIMG_ENDPOINT": $0.url] } ?? [:]) { $1 },
                tag: "." + scenario.name.prefix(while: \.isNumber) + (runs.count > 1 ? "-\(index)" : ""))
            measurements.withLock { $0.append(result) }
        }.start()
    }
    group.wait()
    let all = measurements.withLock { $0 }
    let result = Measurement(
        wall: all.map(\.wall).max() ?? 0, cpu: all.reduce(0) { $0 + $1.cpu }, peakRSS: all.map(\.peakRSS).max() ?? 0,
        exitCode: all.map(\.exitCode).max() ?? 0)
    route?.stop()
    let row = [
        scenario.name, String(scenario.images), String(scenario.concurrency), "\(Int(scenario.latency * 1000)) ms",
        format(scenario.ideal), format(result.wall), scenario.ideal > 0 ? format(result.wall / scenario.ideal) : "-",
        format(result.cpu * 1000 / Double(scenario.images), 1), format(Double(result.peakRSS) / 1_048_576, 1),
        String(route?.requestCount ?? upstream.requestCount - requestsBefore), String(upstream.connectionCount), String(route?.upstreamRateLimited ?? upstream.rateLimitedCount),
        String(result.exitCode),
    ]
    print(zip(row, widths).map { pad($0, $1) }.joined(separator: " "))
    if verbose { print("  log: \(runs[0])/stderr.log") }
    if result.exitCode != 0, let log = try? String(contentsOfFile: runs[0] + "/stderr.log", encoding: .utf8) {
        print("  wsimg said: " + log.split(separator: "\n").suffix(3).joined(separator: " | "))
    }
}
// Start-up: the best of 20 runs of `wsimg --version`, started with posix_spawn and waited for.
var fastest = Double.infinity
for _ in 0..<20 {
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let argv = [strdup(binary), strdup("--version"), nil]
    let start = Date()
    guard posix_spawn(&pid, binary, &actions, nil, argv, nil) == 0 else { fatalError("cannot start \(binary)") }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    fastest = min(fastest, Date().timeIntervalSince(start))
    for argument in argv { free(argument) }
    posix_spawn_file_actions_destroy(&actions)
}
print("wsimg --version: \(format(fastest * 1000, 1)) ms (best of 20, including process start)")
