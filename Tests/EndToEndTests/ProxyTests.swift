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

/// Schools sit behind proxies: curl honours `http_proxy`, `https_proxy`, `ALL_PROXY` and `NO_PROXY`.
/// wsimg never sends loopback traffic through one, and never hands one a key in cleartext.
@Suite struct ProxyTests {
    /// A proxy that records what reaches it and answers with `serve`.
    func proxy(
        _ seen: RequestLog<HTTPServer.Request>,
        serve: @escaping @Sendable (HTTPServer.Request) -> HTTPServer.Reply = { _ in .respond(status: 502, body: []) }
    ) throws -> HTTPServer {
        try HTTPServer { request in
            seen.append(request)
            return serve(request)
        }
    }

    func proxyEnvironment(_ proxy: HTTPServer) -> [String: String] {
        ["http_proxy": proxy.baseURL, "https_proxy": proxy.baseURL, "HTTPS_PROXY": proxy.baseURL, "ALL_PROXY": proxy.baseURL]
    }

    @Test func loopbackNeverGoesThroughAProxy() async throws {
        let seen = RequestLog<HTTPServer.Request>()
        let proxy = try proxy(seen)
        defer { proxy.stop() }
        let upstream = try FakeTogether(delivery: .alwaysURL)
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        var env = proxyEnvironment(proxy)
        env["TOGETHER_API_KEY"] = Wsimg.secret
        env["TOGETHER_BASE_URL"] = upstream.baseURL + "/v1"
        env["NO_PROXY"] = "school.example"
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(seen.all.isEmpty)
        #expect(proxy.connectionCount == 0)
    }

    @Test func downloadsFromOtherHostsUseTheProxyWithoutTheKey() async throws {
        let upstream = try FakeTogether(delivery: .alwaysURL, imageBaseURL: "http://images.example.invalid")
        defer { upstream.stop() }
        let seen = RequestLog<HTTPServer.Request>()
        let proxy = try proxy(seen) { upstream.serveDownload($0) }
        defer { proxy.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        var env = proxyEnvironment(proxy)
        env["TOGETHER_API_KEY"] = Wsimg.secret
        env["TOGETHER_BASE_URL"] = upstream.baseURL + "/v1"
        let run = try await Wsimg.run(["generate", "w.json", "--allow-insecure-http"], in: scratch.path, environment: env)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(seen.all.count == 2)
        #expect(seen.all.allSatisfy { $0.path.hasPrefix("http://images.example.invalid/images/") && $0.headers["authorization"] == nil })
        #expect(upstream.requestCount == 2)
    }

    @Test func aKeyOverPlainHTTPIsNeverHandedToAProxy() async throws {
        let seen = RequestLog<HTTPServer.Request>()
        let proxy = try proxy(seen)
        defer { proxy.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        var env = proxyEnvironment(proxy)
        env["TOGETHER_API_KEY"] = Wsimg.secret
        env["TOGETHER_BASE_URL"] = "http://api.example.invalid/v1"
        let run = try await Wsimg.run(["generate", "w.json", "--allow-insecure-http", "--retries", "0"], in: scratch.path, environment: env)
        // Nothing got through before the host proved unreachable: the run stops, saying so once.
        #expect(run.code == 2)
        #expect(run.stderr.contains("cannot reach api.example.invalid: could not connect"), "\(run.stderr)")
        #expect(seen.all.isEmpty)
    }
}
