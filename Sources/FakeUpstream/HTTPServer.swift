import Foundation
import Synchronization
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// A small threaded HTTP/1.1 server on 127.0.0.1 with an OS-chosen port, for tests and benchmarks.
/// Supports keep-alive; every answer is decided by the handler, including faults.
package final class HTTPServer: Sendable {
    package struct Request: Sendable {
        package let method: String
        package let path: String
        /// Lowercased names.
        package let headers: [String: String]
        package let body: [UInt8]
        /// 0-based order of arrival.
        package let index: Int
        package let connection: Int
    }

    package enum Reply: Sendable {
        case respond(status: Int, headers: [String: String] = [:], body: [UInt8], delay: Double = 0)
        /// Close the connection without answering.
        case drop
        /// Send the status line, headers and only `bytes` of the body, then close.
        case truncate(status: Int, body: [UInt8], bytes: Int)
        /// Never answer (until the server stops).
        case hang
        /// Never answer; call `closed` when the client gives up and closes the connection.
        case hangUntilClosed(closed: @Sendable () -> Void)

        /// The same reply with more headers (a full answer only).
        package func adding(_ more: [String: String]) -> Reply {
            guard case .respond(let status, let headers, let body, let delay) = self else { return self }
            return .respond(status: status, headers: headers.merging(more) { $1 }, body: body, delay: delay)
        }
    }

    package typealias Handler = @Sendable (Request) -> Reply

    package let port: Int
    private let listener: Int32
    private let handler: Handler
    private let state = Mutex(State())
    private let stopping = DispatchSemaphore(value: 0)
    private let group = DispatchGroup()

    struct State {
        var requests = 0
        var connections = 0
        var openSockets: Set<Int32> = []
        var stopped = false
        var inFlight = 0
        var maxInFlight = 0
    }

    package init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    package var baseURL: String { "http://127.0.0.1:\(port)" }
    package var requestCount: Int { state.withLock { $0.requests } }
    package var connectionCount: Int { state.withLock { $0.connections } }
    /// The most requests that were being handled at the same moment.
    package var maxConcurrentRequests: Int { state.withLock { $0.maxInFlight } }

    package func stop() {
        let sockets = state.withLock { state -> Set<Int32> in
            state.stopped = true
            return state.openSockets
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for socket in sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        for _ in 0..<1000 { stopping.signal() }
        group.wait()
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let id: Int? = state.withLock { state in
                guard !state.stopped else { return nil }
                state.connections += 1
                state.openSockets.insert(client)
                return state.connections - 1
            }
            guard let id else {
                close(client)
                return
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            group.enter()
            let thread = Thread { [self] in
                serve(client, connection: id)
                state.withLock { _ = $0.openSockets.remove(client) }
                close(client)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ socket: Int32, connection: Int) {
        var reader = SocketReader(socket: socket)
        while let (head, body) = reader.readRequest() {
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let parts = lines.first?.split(separator: " ") ?? []
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let index = state.withLock { state in
                state.requests += 1
                state.inFlight += 1
                state.maxInFlight = max(state.maxInFlight, state.inFlight)
                return state.requests - 1
            }
            let request = Request(
                method: parts.count > 0 ? String(parts[0]) : "", path: parts.count > 1 ? String(parts[1]) : "",
                headers: headers, body: body, index: index, connection: connection)
            let reply = handler(request)
            defer { state.withLock { $0.inFlight -= 1 } }
            switch reply {
            case .respond(let status, let extra, let body, let delay):
                if delay > 0, stopping.wait(timeout: .now() + delay) == .success { return }
                guard send(socket, status: status, headers: extra, body: body, limit: nil) else { return }
            case .drop:
                return
            case .truncate(let status, let body, let bytes):
                _ = send(socket, status: status, headers: [:], body: body, limit: bytes)
                return
            case .hang:
                stopping.wait()
                return
            case .hangUntilClosed(let closed):
                var byte: UInt8 = 0
                while recv(socket, &byte, 1, 0) > 0 {}
                closed()
                return
            }
        }
    }

    private func send(_ socket: Int32, status: Int, headers: [String: String], body: [UInt8], limit: Int?) -> Bool {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Length: \(body.count)\r\n"
        if headers["content-type"] == nil && headers["Content-Type"] == nil { head += "Content-Type: application/json\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes += body.prefix(limit ?? body.count)
        return bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Foundation.send(socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// Reads HTTP/1.1 requests (head and Content-Length body) off a blocking socket.
struct SocketReader {
    let socket: Int32
    var buffer: [UInt8] = []

    mutating func readRequest() -> (head: String, body: [UInt8])? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            if let found = find(separator) {
                headEnd = found
                break
            }
            guard fill() else { return nil }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        while buffer.count < length {
            guard fill() else { return nil }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return (head, body)
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for start in 0...(buffer.count - pattern.count) where buffer[start] == pattern[0] {
            if buffer[start..<start + pattern.count].elementsEqual(pattern) { return start }
        }
        return nil
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[..<count]
        return true
    }
}
