import Foundation
import Testing
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// Debian's nghttpx terminating TLS and HTTP/2 in front of a loopback fake, with a certificate from a
/// CA the test makes: production's transport (TLS, ALPN, h2 multiplexing) against our fakes.
final class TLSFrontend {
    let folder: String
    let port: Int
    let caFile: String
    private let process: Process
    private let exited = DispatchSemaphore(value: 0)

    static var available: Bool { FileManager.default.isExecutableFile(atPath: nghttpx) }
    static let nghttpx = "/usr/sbin/nghttpx"

    init(backendPort: Int) throws {
        folder = NSTemporaryDirectory() + "wsimg-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        caFile = folder + "/ca.pem"
        try Self.makeCertificates(in: folder)
        port = try Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.nghttpx)
        process.arguments = [
            "--conf=/dev/null", "--single-process", "--workers=1", "--frontend=127.0.0.1,\(port)", "--backend=127.0.0.1,\(backendPort);;proto=http/1.1",
            "--accesslog-file=\(folder)/access.log", "--accesslog-format=$alpn $status $method $path",
            "--errorlog-file=\(folder)/error.log", "--no-ocsp", "--frontend-keep-alive-timeout=30s",
            folder + "/server.key", folder + "/server.pem",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exited = exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        try waitUntilListening()
    }

    deinit {
        // Process.waitUntilExit spins a run loop Swift Testing's threads do not have: wait for the handler.
        process.terminate()
        _ = exited.wait(timeout: .now() + 10)
        try? FileManager.default.removeItem(atPath: folder)
    }

    var baseURL: String { "https://localhost:\(port)" }

    /// ALPN of each request nghttpx answered, in order (`h2`, `http/1.1`).
    var protocols: [String] {
        let log = (try? String(contentsOfFile: folder + "/access.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// nghttpx has no readiness signal without systemd: its listening port is the signal.
    private func waitUntilListening() throws {
        for _ in 0..<200 {
            if Self.accepts(port: port) { return }
            guard process.isRunning else { break }
            usleep(25_000)
        }
        let log = (try? String(contentsOfFile: folder + "/error.log", encoding: .utf8)) ?? ""
        throw TLSError("nghttpx did not start: \(log)")
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw TLSError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A CA, and a certificate it signs for localhost and 127.0.0.1.
    static func makeCertificates(in folder: String) throws {
        let steps = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=wsimg test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
                "-days", "2", "-extfile", "ext.cnf",
            ],
        ]
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n".write(toFile: folder + "/ext.cnf", atomically: true, encoding: .utf8)
        for arguments in steps {
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = arguments
            openssl.currentDirectoryURL = URL(fileURLWithPath: folder)
            openssl.standardOutput = FileHandle.nullDevice
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            guard openssl.terminationStatus == 0 else { throw TLSError("openssl \(arguments[0]) failed") }
        }
    }
}

struct TLSError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
