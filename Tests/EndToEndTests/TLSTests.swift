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

/// TLS and HTTP/2 as in production, through nghttpx (`make test` installs Debian's nghttp2-proxy).
@Suite struct TLSTests {
    func environment(_ frontend: TLSFrontend, ca: [String: String]) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": frontend.baseURL + "/v1"].merging(ca) { $1 }
    }

    @Test(arguments: ["CURL_CA_BUNDLE", "SSL_CERT_FILE"])
    func generatesOverTLSAndHTTP2WithASchoolCA(variable: String) async throws {
        try #require(TLSFrontend.available, "nghttpx is missing: run `make test`, which installs nghttp2-proxy")
        let upstream = try FakeTogether(delivery: .alwaysURL)
        defer { upstream.stop() }
        let frontend = try TLSFrontend(backendPort: Int(upstream.baseURL.split(separator: ":").last!)!)
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 12))
        let run = try await Wsimg.run(
            ["generate", "w.json", "-j", "6"], in: scratch.path,
            environment: environment(frontend, ca: [variable: frontend.caFile]))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 12)
        // Every API request came over HTTP/2 (pictures came from the plain-http image host).
        #expect(frontend.protocols == Array(repeating: "h2", count: 12))
        #expect(try scratch.worksheet("w.json").placeholders.compactMap(\.url).count == 12)
    }

    @Test func anUnknownCAIsAClearErrorAndNoKeyLeavesTheMachine() async throws {
        try #require(TLSFrontend.available, "nghttpx is missing: run `make test`, which installs nghttp2-proxy")
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let frontend = try TLSFrontend(backendPort: Int(upstream.baseURL.split(separator: ":").last!)!)
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: environment(frontend, ca: [:]))
        #expect(run.code == 2)
        #expect(run.stderr.contains("cannot reach") && run.stderr.contains("secure connection failed"))
        #expect(run.stderr.contains("CURL_CA_BUNDLE"))
        #expect(upstream.requestCount == 0)
    }

    @Test func aMissingCABundleIsAConfigurationError() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(
            ["generate", "w.json"], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "CURL_CA_BUNDLE": scratch.path + "/nope.pem"])
        #expect(run.code == 2)
        #expect(run.stderr.contains("CURL_CA_BUNDLE names"))
    }
}
