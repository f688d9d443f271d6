import FakeUpstream
import Foundation
import Testing

@testable import WsimgBasics
@testable import WsimgCLI
@testable import WsimgGeneration
@testable import WsimgImages
@testable import WsimgJSON
@testable import WsimgLibrary
@testable import WsimgNetwork
@testable import WsimgRun
@testable import WsimgWorksheet

@Suite struct CurlTransportTests {
    func withServer(_ handler: @escaping HTTPServer.Handler, _ body: (HTTPServer, CurlMultiClient) async throws -> Void) async throws {
        let server = try HTTPServer(handler: handler)
        let client = CurlMultiClient(maxConnectionsPerHost: 2)
        defer {
            client.shutdown()
            server.stop()
        }
        try await body(server, client)
    }

    func post(_ server: HTTPServer, timeout: Double = 10, limit: Int = 64 << 20) -> HTTPRequest {
        HTTPRequest(
            url: server.baseURL + "/v1/x", headers: ["Authorization: Bearer k"], body: Array(#"{"a":1}"#.utf8),
            timeout: timeout, maxResponseBytes: limit)
    }

    @Test func sendsTheBodyAndReadsStatusHeadersAndBody() async throws {
        try await withServer({ request in
            .respond(
                status: 429, headers: ["Retry-After": "1.5", "X-Echo": String(decoding: request.body, as: UTF8.self)],
                body: Array("slow down".utf8))
        }) { server, client in
            let response = try await client.send(post(server))
            #expect(response.status == 429)
            #expect(response.header("retry-after") == "1.5")
            #expect(response.header("X-ECHO") == #"{"a":1}"#)
            #expect(response.body == Array("slow down".utf8))
        }
    }

    @Test func reusesConnections() async throws {
        try await withServer({ _ in .respond(status: 200, body: Array("{}".utf8)) }) { server, client in
            for _ in 0..<6 { _ = try await client.send(post(server)) }
            #expect(server.connectionCount == 1)
            #expect(client.transferStats.requests == 6)
            #expect(client.transferStats.connectionsOpened == 1)
        }
    }

    @Test func cutsOffOversizedBodies() async throws {
        try await withServer({ _ in .respond(status: 200, body: [UInt8](repeating: 65, count: 200_000)) }) { server, client in
            await #expect(throws: TransportError.responseTooLarge(limit: 100_000)) {
                _ = try await client.send(post(server, limit: 100_000))
            }
        }
    }

    @Test func reportsDroppedAndTruncatedConnections() async throws {
        try await withServer({ request in
            request.index == 0 ? .drop : .truncate(status: 200, body: [UInt8](repeating: 1, count: 1000), bytes: 10)
        }) { server, client in
            for _ in 0..<2 {
                do {
                    _ = try await client.send(post(server))
                    Issue.record("expected a transport error")
                } catch {
                    guard case TransportError.connectionLost = error else {
                        Issue.record("unexpected \(error)")
                        continue
                    }
                }
            }
        }
    }

    @Test func timesOut() async throws {
        try await withServer({ _ in .hang }) { server, client in
            await #expect(throws: TransportError.timedOut(seconds: 0.3)) { _ = try await client.send(post(server, timeout: 0.3)) }
        }
    }

    @Test func cannotConnectToAClosedPort() async throws {
        let server = try HTTPServer { _ in .drop }
        let url = server.baseURL
        server.stop()
        let client = CurlMultiClient(maxConnectionsPerHost: 1)
        defer { client.shutdown() }
        do {
            _ = try await client.send(HTTPRequest(url: url, body: []))
            Issue.record("expected an error")
        } catch {
            guard case TransportError.couldNotConnect = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
    }

    @Test func cancellationAbandonsATransfer() async throws {
        let arrived = DispatchSemaphore(value: 0)
        try await withServer({ _ in
            arrived.signal()
            return .hang
        }) { server, client in
            let request = post(server)
            let task = Task { try await client.send(request) }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async {
                    arrived.wait()
                    done.resume()
                }
            }
            task.cancel()
            await #expect(throws: TransportError.cancelled) { _ = try await task.value }
        }
    }
}
