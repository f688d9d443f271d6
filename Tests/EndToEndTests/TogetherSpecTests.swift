import FakeUpstream
import Foundation
import Synchronization
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

/// wsimg against every answer Together's OpenAPI spec and docs allow, not only the ones it asks for.
@Suite struct TogetherSpecTests {
    func env(_ upstream: FakeTogether, base: String? = nil) -> [String: String] {
        ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": base ?? upstream.baseURL + "/v1"]
    }

    func expectValidPictures(_ scratch: Scratch, count: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let sheet = try scratch.worksheet("w.json")
        #expect(sheet.placeholders.compactMap(\.url).count == count, sourceLocation: sourceLocation)
        for placeholder in sheet.placeholders {
            let url = try #require(sheet.link(placeholder), sourceLocation: sourceLocation)
            try PNGValidator.validate(
                scratch.bytes(url), width: SizeRules.normalise(placeholder.width),
                height: SizeRules.normalise(placeholder.height))
        }
    }

    @Test func asksWithTheSpecsEnumsAndAUserAgent() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        let seen = try #require(upstream.requests.first)
        #expect(seen.body["response_format"] == #""base64""#)
        #expect(seen.body["output_format"] == #""png""#)
        #expect(seen.userAgent == "wsimg/\(Version.current)")
    }

    /// FLUX.1 schnell answers JPEG whatever `output_format` says: converted, one request per picture.
    @Test(arguments: [FakeTogether.Delivery.alwaysBase64, .alwaysURL])
    func jpegAnswersBecomeValidPNGs(delivery: FakeTogether.Delivery) async throws {
        let upstream = try FakeTogether(format: .alwaysJPEG, delivery: delivery)
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 6))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requestCount == 6)
        try expectValidPictures(scratch, count: 6)
        #expect(scratch.files(in: "w_images").allSatisfy { $0.hasSuffix(".png") && !$0.hasPrefix(".") }, "\(scratch.files(in: "w_images"))")
    }

    /// The documented default: `data[].url` on another host. Downloaded with a User-Agent (the CDN
    /// refuses a blank one) and never with the key.
    @Test func urlAnswersAreDownloadedWithoutTheKey() async throws {
        let upstream = try FakeTogether(delivery: .alwaysURL)
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 6))
        let run = try await Wsimg.run(["generate", "w.json", "-v"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        try expectValidPictures(scratch, count: 6)
        #expect(upstream.requestCount == 6)
        let downloads = upstream.downloadRequests
        #expect(downloads.count == 6)
        #expect(downloads.allSatisfy { $0.served && $0.authorization == nil && $0.userAgent == "wsimg/\(Version.current)" })
        #expect(!run.stderr.contains("s3cr3t"))
    }

    @Test(arguments: ["", "/", "/v1", "/v1/"])
    func baseURLWorksWithAndWithoutV1(suffix: String) async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream, base: upstream.baseURL + suffix))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(upstream.requests.allSatisfy { $0.path == "/v1/images/generations" })
    }

    @Test func a404NamesTheURLAndStopsTheRun() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 4))
        let run = try await Wsimg.run(
            ["generate", "w.json", "-j", "1"], in: scratch.path,
            environment: env(upstream, base: upstream.baseURL + "/api"))
        #expect(run.code == 2)
        #expect(upstream.requestCount == 1)
        #expect(run.stderr.contains("404 Not Found for \(upstream.baseURL)/api/v1/images/generations"))
        #expect(run.stderr.contains("Check TOGETHER_BASE_URL"))
    }

    @Test func aBaseURLWithSecretsIsRefusedWithoutEchoingThem() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let run = try await Wsimg.run(
            ["generate", "w.json"], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": "https://me:pa55word@api.together.xyz/v1?token=t0ken"])
        #expect(run.code == 2)
        #expect(run.stderr.contains("TOGETHER_BASE_URL"))
        #expect(!run.stderr.contains("pa55word") && !run.stderr.contains("t0ken"))
    }

    /// 503 is Together's answer to a burst: it slows the run down and does not use up retries.
    @Test func a503BurstSlowsDownWithoutSpendingRetries() async throws {
        let upstream = try FakeTogether { index, _ in
            index < 6
                ? .status(
                    503, body: #"{"error":{"message":"The server is overloaded","type":"service_unavailable"}}"#,
                    headers: ["Retry-After": "0.1"]) : .none
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 4))
        let run = try await Wsimg.run(["generate", "w.json", "--retries", "0", "-v"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        try expectValidPictures(scratch, count: 4)
        #expect(run.stderr.contains("busy (503)"))
    }

    @Test func aHugeRetryAfterStopsTheRunAtOnceAndKeepsWhatIsDone() async throws {
        let upstream = try FakeTogether { index, _ in
            index == 0 ? .none : .status(429, body: #"{"error":{"message":"rate limit"}}"#, headers: ["Retry-After": "999999"])
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 4))
        let run = try await Wsimg.run(["generate", "w.json", "-j", "1"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 1, "\(run.stderr)")
        #expect(run.stderr.contains("asked to wait 278 h"))
        #expect(run.stderr.contains("try again after"))
        #expect(upstream.requestCount == 2)
        #expect(try scratch.worksheet("w.json").placeholders.compactMap(\.url).count == 1)
    }

    @Test(arguments: [429, 503])
    func endlessRateLimitsStopAfterMaxWait(status: Int) async throws {
        let upstream = try FakeTogether { index, _ in
            index == 0 ? .none : .status(status, body: "{}", headers: ["Retry-After": "0.05"])
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let run = try await Wsimg.run(["generate", "w.json", "-j", "1", "--max-wait", "0.5"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 1, "\(run.stderr)")
        #expect(run.stderr.contains("with no success for"))
        #expect(run.stderr.contains("try again in a few minutes"))
        #expect(try scratch.worksheet("w.json").placeholders.compactMap(\.url).count == 1)
    }

    /// An answer that will not change when asked again fails its image at once.
    @Test func aFormatWsimgCannotUseFailsAtOnce() async throws {
        let upstream = try FakeTogether { _, prompt in prompt.hasPrefix("Friendly") ? .gifInstead : .none }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 1)
        #expect(upstream.requestCount == 2)
        #expect(run.stderr.contains("GIF, which wsimg cannot convert to PNG"))
    }

    @Test func sixteenBitAndWrongSizeJPEGAnswers() async throws {
        let upstream = try FakeTogether { index, prompt in
            prompt.hasPrefix("Friendly") && index < 2 ? .wrongSizeJPEG : .sixteenBitPNG
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json", "-v", "--backoff", "0"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 0, "\(run.stderr)")
        #expect(run.stderr.contains("(JPEG), expected 512×384"))
        try expectValidPictures(scratch, count: 2)
    }

    /// A URL answer pointing at plain http elsewhere is not fetched (nor retried).
    @Test func plainHTTPImageURLsFollowTheBaseURLsRule() async throws {
        let upstream = try FakeTogether(delivery: .alwaysURL, imageBaseURL: "http://images.example.invalid")
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let run = try await Wsimg.run(["generate", "w.json"], in: scratch.path, environment: env(upstream))
        #expect(run.code == 1)
        #expect(upstream.requestCount == 2)
        #expect(run.stderr.contains("plain http to another machine"))
    }
}
