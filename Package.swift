// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "wsimg",
    products: [
        .executable(name: "wsimg", targets: ["wsimg"]),
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
        .target(
            name: "WsimgCore",
            dependencies: ["CWsimgCurl", "CWsimgPNG", "CWsimgJPEG"]
        ),
        .executableTarget(
            name: "wsimg",
            dependencies: ["WsimgCore"]
        ),
        // A loopback HTTP server with fault injection, shared by the end-to-end tests and the benchmark.
        .target(
            name: "FakeUpstream",
            dependencies: ["WsimgCore"]
        ),
        .executableTarget(
            name: "wsimg-bench",
            dependencies: ["WsimgCore", "FakeUpstream"]
        ),
        .executableTarget(
            name: "wsimg-fuzz",
            dependencies: ["WsimgCore", "FakeUpstream"]
        ),
        .testTarget(
            name: "WsimgCoreTests",
            dependencies: ["WsimgCore", "FakeUpstream"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["WsimgCore", "FakeUpstream", "wsimg", "wsimg-fuzz"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
