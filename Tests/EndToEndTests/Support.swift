import FakeUpstream
import Foundation
import Testing
import WsimgBasics
import WsimgCLI
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// Runs the built `wsimg` binary as a user would, capturing everything it prints.
struct Wsimg {
    struct Run {
        let code: Int32
        let stdout: String
        let stderr: String
        let stdoutBytes: [UInt8]
    }

    static var binary: String {
        // WSIMG_BINARY runs the suite against another build (an older one, to see a test fail before its fix).
        if let other = ProcessInfo.processInfo.environment["WSIMG_BINARY"], !other.isEmpty { return other }
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // Under `swift test` arguments[0] is the test bundle in the build folder, beside the wsimg binary.
        for candidate in [folder, folder.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("wsimg").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return ".build/debug/wsimg"
    }

    static let secret = "sk-test-9f8e7d6c5b4a"

    struct Started {
        let process: Process
        let stdoutPath: String
        let stderrPath: String
        let exited: Task<Int32, Never>
    }

    /// Starts wsimg, so a test can act while it runs (send a signal, say). `stdin`: a file to read
    /// standard input from (none: /dev/null).
    /// `shell`: the arguments are for bash (to set a limit first, say), not for wsimg.
    static func start(
        _ arguments: [String], in folder: String, environment: [String: String] = [:], stdin: String? = nil, shell: Bool = false
    ) throws -> Started {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell ? "/bin/bash" : binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var env = ["PATH": "/usr/bin:/bin", "HOME": folder, "LANG": "C.UTF-8"]
        // Under `make check` the binary is built with AddressSanitizer: keep its settings.
        if let asan = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] { env["ASAN_OPTIONS"] = asan }
        env.merge(environment) { $1 }
        process.environment = env
        let out = folder + "/.stdout-\(UUID().uuidString)"
        let err = folder + "/.stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        return Started(process: process, stdoutPath: out, stderrPath: err, exited: try launch(process))
    }

    /// Runs `process`; the task ends with its exit status. Waiting through the termination handler
    /// keeps Swift Testing's few threads free for other tests.
    static func launch(_ process: Process) throws -> Task<Int32, Never> {
        let (exits, exit) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = {
            exit.yield($0.terminationStatus)
            exit.finish()
        }
        try process.run()
        return Task {
            for await code in exits { return code }
            return -1
        }
    }

    static func finish(_ started: Started) async -> Run {
        let code = await started.exited.value
        let out = started.stdoutPath
        let err = started.stderrPath
        let stdout = FileManager.default.contents(atPath: out) ?? Data()
        let stderr = FileManager.default.contents(atPath: err) ?? Data()
        try? FileManager.default.removeItem(atPath: out)
        try? FileManager.default.removeItem(atPath: err)
        return Run(
            code: code, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self), stdoutBytes: Array(stdout))
    }

    static func run(
        _ arguments: [String], in folder: String, environment: [String: String] = [:], stdin: String? = nil, shell: Bool = false
    ) async throws -> Run {
        await finish(try start(arguments, in: folder, environment: environment, stdin: stdin, shell: shell))
    }
}

/// A scratch folder with a worksheet in it, removed afterwards.
final class Scratch: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("wsimg-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }

    func read(_ name: String) -> String { String(decoding: bytes(name), as: UTF8.self) }
    func bytes(_ name: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path + "/" + name) ?? Data()) }
    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + name) }
    /// The folder's files, but wsimg's own state files (the run lock, redo seeds).
    func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + folder)) ?? [])
            .filter { $0 != RunLock.fileName && $0 != RedoManifest.fileName }.sorted()
    }

    func worksheet(_ name: String) throws -> Worksheet { try Worksheet(source: bytes(name)) }

    /// For a fake's handler thread: returns once a finished picture is in `folder` (at most 10 s). The
    /// engine may send the next request while the last picture is still being checked and stored, and
    /// which image goes first among its workers is not fixed.
    func holdUntilPicture(in folder: String) {
        for _ in 0..<1000 where !files(in: folder).contains(where: { !$0.hasPrefix(".") && $0.hasSuffix(".png") }) { usleep(10_000) }
    }
}

enum Sheets {
    /// `count` placeholders over two pages, with Ukrainian and English prompts and other elements between.
    static func sample(count: Int = 4) -> String {
        let prompts = ["Веселий кіт грає з клубком", "Friendly dinosaur learning math", "Сова читає книжку", "Volcano experiment, safe for children"]
        let sizes = [(400, 300), (512, 384), (600, 400), (256, 256)]
        var elements: [String] = []
        for i in 0..<count {
            let (w, h) = sizes[i % sizes.count]
            elements.append(#"{"type": "image-placeholder", "properties": {"imagePrompt": \#(JSONWriter.quoted(prompts[i % prompts.count] + (i >= prompts.count ? " #\(i)" : ""))), "caption": "Picture \#(i)", "width": \#(w), "height": \#(h)}}"#)
            elements.append(#"{"type": "body-text", "properties": {"text": "Скільки? \#(i)", "fontSize": 18.0}}"#)
        }
        let half = elements.count / 2
        return """
            {
              "title": "Тест",
              "pages": [
                {"elements": [\(elements[..<half].joined(separator: ",\n    "))]},
                {"elements": [\(elements[half...].joined(separator: ",\n    "))]}
              ],
              "meta": {"version": 2.10}
            }

            """
    }
}

extension Worksheet {
    func url(_ id: String) -> String? { placeholders.first { $0.id == id }.flatMap(link) }
    /// An element's url, whole (read from the file when it is a long `data:` URL).
    func link(_ placeholder: Placeholder) -> String? { placeholder.url.flatMap { source.string($0) } }
}

extension FakeTogether {
    /// The name of the shared pace state file wsimg keeps for this API and the test key.
    func paceStateName() throws -> String {
        let endpoint = try ServiceEndpoints.together(base: baseURL, allowInsecureHTTP: false)
        return String(SHA256.hex(TogetherProvider.paceIdentity(endpoint: endpoint, apiKey: Wsimg.secret)).prefix(32))
    }
}

enum PNGPixels {
    /// The image data of a PNG (its IDAT chunks joined): equal for two files of one encoder exactly when
    /// their pixels are, whatever marks or text chunks the files carry besides.
    static func data(_ png: [UInt8]) -> [UInt8] {
        var data: [UInt8] = []
        var offset = 8
        while offset + 8 <= png.count {
            let length = png[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: png[offset + 4..<offset + 8], as: UTF8.self)
            guard offset + 12 + length <= png.count else { break }
            if type == "IDAT" { data += png[offset + 8..<offset + 8 + length] }
            offset += 12 + length
        }
        return data
    }
}

/// A loopback port that refuses every connection (bound, never listening) for as long as it lives,
/// so no other test's server can take it meanwhile: a service that cannot be reached.
final class RefusingPort: Sendable {
    private let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard descriptor >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
}
