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

@Suite struct RemoteTests {
    func run(
        _ route: FakeBatchRoute, _ scratch: Scratch, _ extra: [String] = [], token: String? = nil,
        endpoint: String? = nil
    ) async throws -> Wsimg.Run {
        var env = ["WSIMG_ENDPOINT": endpoint ?? route.url]
        if let token { env["WSIMG_ENDPOINT_TOKEN"] = token }
        return try await Wsimg.run(["generate", "w.json", "--backoff", "0"] + extra, in: scratch.path, environment: env)
    }

    @Test func turnsTheServersJPEGsIntoValidPNGsWithTheSameWorksheetShape() async throws {
        let route = try FakeBatchRoute()
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 4))
        let result = try await run(route, scratch)
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr.contains("4 new, 0 already present, 0 failed"))
        let sheet = try scratch.worksheet("w.json")
        #expect(sheet.placeholders.map(\.id) == ["0-0", "0-2", "1-0", "1-2"])
        for placeholder in sheet.placeholders {
            let url = try #require(sheet.link(placeholder))
            #expect(url.hasPrefix("w_images/\(placeholder.id)-"))
            try PNGValidator.validate(
                scratch.bytes(url), width: SizeRules.normalise(placeholder.width),
                height: SizeRules.normalise(placeholder.height))
        }
        // The route gets raw prompts and the worksheet's own sizes; it applies the rules itself.
        let sent = route.batches.flatMap { $0 }
        #expect(sent.first == FakeBatchRoute.Image(id: "0-0", prompt: "Веселий кіт грає з клубком", width: 400, height: 300))
        #expect(route.authorizations.allSatisfy { $0 == nil })
    }

    @Test func acceptsRealPNGsToo() async throws {
        let route = try FakeBatchRoute(images: { _, _ in .png })
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        #expect(try await run(route, scratch).code == 0)
        #expect(scratch.files(in: "w_images").count == 2)
    }

    /// More pictures than one batch: the first goes alone, then as many at once as have come back
    /// (TCP's slow start), never more than --batch-size in one request or -j requests at once.
    @Test func respectsBatchSizeAndConcurrency() async throws {
        let route = try FakeBatchRoute(latency: 0.1)
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 20))
        let result = try await run(route, scratch, ["--batch-size", "3", "-j", "2"])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(route.batches.first?.count == 1)
        #expect(route.batches.map(\.count).allSatisfy { (1...3).contains($0) })
        #expect(route.batches.map(\.count).filter { $0 == 3 }.count >= 4)
        #expect(route.maxConcurrentBatches <= 2)
        #expect(route.maxImagesRunningAtOnce <= 6)
        #expect(Set(route.batches.flatMap { $0 }.map(\.id)).count == 20)
    }

    @Test func retriesFailedImagesAloneInALaterBatch() async throws {
        let route = try FakeBatchRoute { id, attempt in id == "0-2" && attempt == 1 ? .fail("Failed after 3 attempts") : .jpeg }
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 4))
        let result = try await run(route, scratch, ["-j", "1", "-v"])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(route.batches.map { $0.map(\.id) } == [["0-0", "0-2", "1-0", "1-2"], ["0-2"]])
        #expect(result.stderr.contains("0-2 attempt 1 failed: the server could not generate it: Failed after 3 attempts"))
    }

    @Test func givesUpOnAnImageAfterItsRetries() async throws {
        let route = try FakeBatchRoute { id, _ in id == "1-0" ? .fail("content policy") : .jpeg }
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let result = try await run(route, scratch, ["--retries", "1"])
        #expect(result.code == 1)
        #expect(result.stderr.contains("1-0 \"Picture 1\": the server could not generate it: content policy"))
        let sentIDs: [String] = route.batches.flatMap { $0 }.map(\.id)
        #expect(sentIDs.filter { $0 == "1-0" }.count == 2)
        #expect(try scratch.worksheet("w.json").url("0-0") != nil)
    }

    @Test(arguments: [
        FakeBatchRoute.BatchFault.status(500, body: #"{"success":false,"error":"Internal error"}"#),
        .status(503, body: "upstream busy"), .garbage, .drop,
    ])
    func retriesAWholeBatchThatFailed(fault: FakeBatchRoute.BatchFault) async throws {
        let route = try FakeBatchRoute(batches: { index in index == 0 ? fault : .none })
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let result = try await run(route, scratch)
        #expect(result.code == 0, "\(result.stderr)")
        #expect(route.requestCount == 2)
    }

    @Test func reportsA400WithTheServersMessageAndDoesNotRetry() async throws {
        let route = try FakeBatchRoute(batches: { _ in .status(400, body: #"{"success":false,"error":"Each image must have a prompt"}"#) })
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let result = try await run(route, scratch)
        #expect(result.code == 1)
        #expect(result.stderr.contains("0-0 \"Picture 0\": request refused (400): Each image must have a prompt"))
        #expect(route.requestCount == 1)
    }

    @Test func serverWithoutAKeyStopsWithExitTwo() async throws {
        let route = try FakeBatchRoute(mode: .notConfigured)
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 20))
        let result = try await run(route, scratch, ["-j", "1"])
        #expect(result.code == 2)
        #expect(result.stderr.contains("API key not configured"))
        #expect(result.stderr.contains("administrator"))
        #expect(route.requestCount == 1)
    }

    @Test func sendsTheTokenAndExplainsARefusal() async throws {
        let route = try FakeBatchRoute(mode: .requireToken("school-secret-42"))
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let refused = try await run(route, scratch)
        #expect(refused.code == 2)
        #expect(refused.stderr.contains("WSIMG_ENDPOINT_TOKEN"))
        let allowed = try await run(route, scratch, token: "school-secret-42")
        #expect(allowed.code == 0, "\(allowed.stderr)")
        #expect(route.authorizations.last == "Bearer school-secret-42")
        #expect(!allowed.stderr.contains("school-secret-42"))
    }

    @Test func matchesByPositionWhenTheServerSendsNoIDs() async throws {
        let route = try FakeBatchRoute(sendIDs: false)
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        #expect(try await run(route, scratch).code == 0)
        let sheet = try scratch.worksheet("w.json")
        try PNGValidator.validate(scratch.bytes(try #require(sheet.url("0-2"))), width: 512, height: 384)
    }

    @Test func reRunsMakeNoRequestsAndTheKeyDependsOnTheEndpoint() async throws {
        let route = try FakeBatchRoute()
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        #expect(try await run(route, scratch).code == 0)
        let first = scratch.bytes("w.json")
        #expect(try await run(route, scratch).code == 0)
        #expect(route.requestCount == 1)
        #expect(scratch.bytes("w.json") == first)
        // The same worksheet through Together: other pictures, other keys.
        let together = try FakeTogether()
        defer { together.stop() }
        let direct = try await Wsimg.run(
            ["generate", "w.json"], in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": together.baseURL])
        #expect(direct.code == 0)
        #expect(together.requestCount == 3)
    }

    @Test(arguments: ["", "/"])
    func theWebAppsBaseURLIsEnough(suffix: String) async throws {
        let route = try FakeBatchRoute()
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let result = try await run(route, scratch, endpoint: route.baseURL + suffix)
        #expect(result.code == 0, "\(result.stderr)")
        #expect(route.batches.count == 1)
    }

    @Test func aMissingRouteNamesTheURLTried() async throws {
        let route = try FakeBatchRoute()
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 2))
        let result = try await run(route, scratch, endpoint: route.baseURL + "/api/generate")
        #expect(result.code == 2)
        #expect(result.stderr.contains("no batch route at \(route.baseURL)/api/generate (404)"))
    }

    /// The route reports Together's refusal of its own key per image: one batch, then a stop with
    /// advice for the server's administrator (not 54 upstream calls and exit 1).
    @Test(arguments: [(401, "key was refused"), (403, "key was refused"), (402, "out of credit")])
    func theServersOwnKeyRefusedStopsTheRun(status: Int, words: String) async throws {
        let route = try FakeBatchRoute { _, _ in
            .fail(#"FLUX API error: \#(status) - {"error":{"message":"Invalid API key provided","type":"invalid_request_error"}}"#)
        }
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 12))
        let result = try await run(route, scratch, ["-j", "1"])
        #expect(result.code == 2)
        #expect(route.requestCount == 1)
        #expect(result.stderr.contains("the server's Together \(status == 402 ? "account is" : "key was")"))
        #expect(result.stderr.contains(words) && result.stderr.contains("administrator"))
    }

    @Test func perImageRateLimitsSlowDownWithoutSpendingRetries() async throws {
        let route = try FakeBatchRoute { _, attempt in
            attempt <= 2 ? .fail(#"FLUX API error: 429 - {"error":{"message":"rate limit exceeded"}}"#) : .jpeg
        }
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let result = try await run(route, scratch, ["--retries", "0", "-j", "1"])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(route.requestCount == 3)
    }

    @Test func aPerImage400FailsThatImageWithoutARetry() async throws {
        let route = try FakeBatchRoute { id, _ in
            id == "0-2" ? .fail(#"FLUX API error: 400 - {"error":{"message":"Input validation error: prompt too long"}}"#) : .jpeg
        }
        defer { route.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let result = try await run(route, scratch)
        #expect(result.code == 1)
        #expect(route.requestCount == 1)
        #expect(result.stderr.contains("0-2 \"Picture 1\": request refused (400): Input validation error: prompt too long"))
    }

    @Test func remoteNeedsAnEndpoint() async throws {
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 1))
        let result = try await Wsimg.run(["generate", "w.json", "--provider", "remote"], in: scratch.path)
        #expect(result.code == 2)
        #expect(result.stderr.contains("--endpoint"))
    }
}
