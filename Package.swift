// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "wsimg",
    products: [
        .executable(name: "wsimg", targets: ["wsimg"])
    ],
    targets: [
        .systemLibrary(
            name: "CWsimgCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CWsimgPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        // libjpeg-turbo: FLUX.1 schnell and the web app's server answer JPEG; wsimg converts it to PNG.
        .systemLibrary(
            name: "CWsimgJPEG",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"])]
        ),
        // Paths and file primitives (names kept as bytes), hashes, terminal-safe text, the console.
        .target(name: "WsimgBasics"),
        // A streaming JSON scanner over a worksheet's bytes, a tree parser for small documents, the writer.
        .target(name: "WsimgJSON", dependencies: ["WsimgBasics"]),
        // The worksheet: its image elements, read with the scanner.
        .target(name: "WsimgWorksheet", dependencies: ["WsimgJSON", "WsimgBasics"]),
        // Pictures: PNG validation (libpng's simplified API), JPEG conversion, encoding, wsimg's mark, base64.
        .target(name: "WsimgImages", dependencies: ["WsimgBasics", "CWsimgPNG", "CWsimgJPEG"]),
        // HTTP through libcurl (one object per transfer, typed option shims), service URLs and proxies,
        // answers' rate-limit headers and Retry-After.
        .target(name: "WsimgNetwork", dependencies: ["WsimgBasics", "CWsimgCurl"]),
        // Requests, the providers behind one protocol, pacing, retries, and the engine that runs them.
        .target(name: "WsimgGeneration", dependencies: ["WsimgNetwork", "WsimgImages", "WsimgWorksheet", "WsimgJSON", "WsimgBasics"]),
        // The pictures on disk: images folders (naming, the run lock, choices and candidates, orphans),
        // the plan of what is present, the picture cache, and writing the worksheet back.
        .target(
            name: "WsimgLibrary",
            dependencies: ["WsimgGeneration", "WsimgNetwork", "WsimgImages", "WsimgWorksheet", "WsimgJSON", "WsimgBasics"]
        ),
        // A run: its configuration, each worksheet's job, the run-wide context, the display and the report.
        .target(
            name: "WsimgRun",
            dependencies: ["WsimgLibrary", "WsimgGeneration", "WsimgNetwork", "WsimgImages", "WsimgWorksheet", "WsimgJSON", "WsimgBasics"]
        ),
        .target(
            name: "WsimgCLI",
            dependencies: ["WsimgRun", "WsimgLibrary", "WsimgGeneration", "WsimgNetwork", "WsimgImages", "WsimgWorksheet", "WsimgJSON", "WsimgBasics", "CWsimgCurl", "CWsimgPNG", "CWsimgJPEG"]
        ),
        .executableTarget(
            name: "wsimg",
            dependencies: ["WsimgCLI", "WsimgRun", "WsimgBasics"]
        ),
        // A loopback HTTP server with fault injection, shared by the end-to-end tests and the benchmark.
        .target(
            name: "FakeUpstream",
            dependencies: ["WsimgGeneration", "WsimgNetwork", "WsimgImages", "WsimgWorksheet", "WsimgJSON", "WsimgBasics"]
        ),
        .executableTarget(
            name: "wsimg-bench",
            dependencies: ["WsimgCLI", "WsimgRun", "WsimgLibrary", "WsimgGeneration", "WsimgNetwork", "WsimgImages", "WsimgWorksheet", "WsimgJSON", "WsimgBasics", "FakeUpstream"]
        ),
        .executableTarget(
            name: "wsimg-fuzz",
            dependencies: ["WsimgCLI", "WsimgRun", "WsimgLibrary", "WsimgGeneration", "WsimgNetwork", "WsimgImages", "WsimgWorksheet", "WsimgJSON", "WsimgBasics", "FakeUpstream"]
        ),
        .testTarget(
            name: "WsimgCoreTests",
            dependencies: ["WsimgCLI", "WsimgRun", "WsimgLibrary", "WsimgGeneration", "WsimgNetwork", "WsimgImages", "WsimgWorksheet", "WsimgJSON", "WsimgBasics", "FakeUpstream"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["WsimgCLI", "WsimgRun", "WsimgLibrary", "WsimgGeneration", "WsimgNetwork", "WsimgImages", "WsimgWorksheet", "WsimgJSON", "WsimgBasics", "FakeUpstream", "wsimg", "wsimg-fuzz"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
