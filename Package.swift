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
        .target(
            name: "WsimgCore",
            dependencies: ["WsimgBasics", "CWsimgCurl", "CWsimgPNG", "CWsimgJPEG"]
        ),
        .executableTarget(
            name: "wsimg",
            dependencies: ["WsimgCore", "WsimgBasics"]
        ),
        // A loopback HTTP server with fault injection, shared by the end-to-end tests and the benchmark.
        .target(
            name: "FakeUpstream",
            dependencies: ["WsimgCore", "WsimgBasics"]
        ),
        .executableTarget(
            name: "wsimg-bench",
            dependencies: ["WsimgCore", "WsimgBasics", "FakeUpstream"]
        ),
        .executableTarget(
            name: "wsimg-fuzz",
            dependencies: ["WsimgCore", "WsimgBasics", "FakeUpstream"]
        ),
        .testTarget(
            name: "WsimgCoreTests",
            dependencies: ["WsimgCore", "WsimgBasics", "FakeUpstream"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["WsimgCore", "WsimgBasics", "FakeUpstream", "wsimg", "wsimg-fuzz"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
