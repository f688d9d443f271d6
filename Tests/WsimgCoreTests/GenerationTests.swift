import Foundation
import Synchronization
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

@Suite struct RetryAfterTests {
    func response(_ headers: [(String, String)]) -> HTTPResponse {
        HTTPResponse(status: 429, headers: headers.map { ($0.0, $0.1) }, body: [])
    }

    @Test(arguments: [("3", 3.0), ("0.25", 0.25), (" 7 ", 7.0), ("100000", 100_000.0), ("1e99", RetryAfter.longestHonoured)])
    func readsSeconds(value: String, expected: Double) {
        #expect(RetryAfter.seconds(from: response([("retry-after", value)])) == expected)
    }

    @Test func readsHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryAfter.seconds(fromHeader: "Wed, 21 Oct 2015 07:28:05 GMT", now: now) == 5)
        #expect(RetryAfter.seconds(fromHeader: "Wed, 21 Oct 2015 07:27:00 GMT", now: now) == 0)
    }

    @Test func prefersMilliseconds() {
        #expect(RetryAfter.seconds(from: response([("retry-after", "9"), ("retry-after-ms", "1500")])) == 1.5)
    }

    @Test(arguments: ["soon", "-1", "nan", ""])
    func ignoresNonsense(value: String) {
        #expect(RetryAfter.seconds(from: response([("retry-after", value)])) == nil)
    }
}

@Suite struct RetryPolicyTests {
    @Test(arguments: [(1, 0.0, 0.5), (1, 1.0, 1.0), (2, 1.0, 2.0), (3, 0.0, 2.0), (10, 1.0, 30.0)])
    func backsOffExponentiallyWithJitter(retry: Int, random: Double, expected: Double) {
        #expect(RetryPolicy(retries: 2, baseDelay: 1, maxDelay: 30).delay(beforeRetry: retry, unitRandom: random) == expected)
    }
}

@Suite struct UpstreamStatusTests {
    func check(_ status: Int, _ body: String = "", headers: [(String, String)] = []) -> GenerationError? {
        do {
            try UpstreamStatus.check(
                HTTPResponse(status: status, headers: headers.map { ($0.0, $0.1) }, body: Array(body.utf8)),
                from: .together, url: "https://api.example/v1/images/generations", redactor: Redactor(secrets: ["sk-secret"]))
            return nil
        } catch {
            return error
        }
    }

    /// One table for every upstream: what differs by who answered.
    @Test(arguments: [
        (UpstreamStatus.Service.batchRoute, 402, GenerationError.server(status: 402, message: nil)),
        (.batchRoute, 404, .endpointRefused(status: 404, message: nil, url: "https://x/")),
        (.together, 404, .notFound(url: "https://x/", message: nil)),
        (.pictureDownload, 404, .downloadFailed(status: 404, url: "https://x/")),
        (.pictureDownload, 429, .rateLimited(retryAfter: nil)),
        (.pictureDownload, 302, .downloadFailed(status: 302, url: "https://x/")),
        (.batchRoute, 413, .rejected(status: 413, message: "no reason given")),
    ])
    func eachServiceReadsTheTable(service: UpstreamStatus.Service, status: Int, error: GenerationError) {
        #expect(throws: error) {
            try UpstreamStatus.check(HTTPResponse(status: status, headers: [], body: []), from: service, url: "https://x/", redactor: Redactor(secrets: []))
        }
    }

    @Test func mapsStatusesToWhatWsimgDoes() {
        #expect(check(200) == nil)
        #expect(check(429, headers: [("retry-after", "2")]) == .rateLimited(retryAfter: 2))
        #expect(check(401)?.disposition == .stopRun)
        #expect(check(403)?.disposition == .stopRun)
        #expect(check(402)?.disposition == .stopRun)
        #expect(check(400, #"{"error":{"message":"prompt too long"}}"#) == .rejected(status: 400, message: "prompt too long"))
        #expect(check(422, #"{"error":"nsfw"}"#)?.disposition == .fail)
        #expect(check(503) == .overloaded(retryAfter: nil))
        #expect(check(503, headers: [("retry-after", "7")]) == .overloaded(retryAfter: 7))
        #expect(check(503)?.disposition == .pace)
        #expect(check(500)?.disposition == .retry)
        #expect(
            check(404, #"{"error":{"message":"Unable to access model"}}"#)
                == .notFound(url: "https://api.example/v1/images/generations", message: "Unable to access model"))
        #expect(check(404)?.disposition == .stopRun)
        #expect(
            check(302, headers: [("location", "https://elsewhere.example/v1?token=abc")])
                == .redirected(status: 302, location: "https://elsewhere.example/v1?…"))
        #expect(check(307)?.disposition == .stopRun)
        #expect(check(408)?.disposition == .retry)
        #expect(check(429)?.disposition == .pace)
    }

    @Test func neverEchoesTheKey() {
        let error = check(401, #"{"error":{"message":"Invalid API key SK-SECRET provided\u001b]0;pwned\u0007"}}"#)
        #expect(error?.description.lowercased().contains("sk-secret") == false)
        #expect(error?.description.contains("[redacted]") == true)
        #expect(error?.description.contains("\u{1b}") == false)
        #expect(error?.description.contains("^[]0;pwned^G") == true)
    }

    @Test(arguments: [
        (#"{"data":[]}"#, GenerationError.badResponse("the answer's \"data\" list is empty: no picture was returned")),
        (#"{"object":"list"}"#, .badResponse("no \"data\" in the answer")),
        (#"{"data":{}}"#, .badResponse("\"data\" is not a list")),
        (#"{"data":[{"index":0,"type":"svg","svg":"<svg/>"}]}"#, .unusableAnswer("the picture came as \"svg\", which wsimg cannot read")),
        ("<html>", .badResponse("the body is not JSON (unexpected character '<')")),
    ])
    func explainsBadBodies(body: String, error: GenerationError) {
        #expect(throws: error) { try TogetherAnswer.parse(Array(body.utf8)) }
    }

    @Test(arguments: [
        (#"{"id":"x","model":"m","object":"list","data":[{"index":0,"type":"b64_json","b64_json":"QUJD"}]}"#, TogetherAnswer.base64("QUJD")),
        (#"{"id":"x","model":"m","object":"list","data":[{"index":0,"type":"url","url":"https://cdn/x.jpg"}]}"#, .url("https://cdn/x.jpg")),
    ])
    func readsEveryDocumentedAnswer(body: String, answer: TogetherAnswer) throws {
        #expect(try TogetherAnswer.parse(Array(body.utf8)) == answer)
    }
}

/// A provider whose answers a test scripts per call.
final class ScriptedProvider: SingleImageProvider, Sendable {
    let answers: @Sendable (ImageRequest, Int) -> Result<[UInt8], GenerationError>
    private let calls = Mutex<[String: Int]>([:])

    init(_ answers: @escaping @Sendable (ImageRequest, Int) -> Result<[UInt8], GenerationError>) {
        self.answers = answers
    }

    var kind: ProviderKind { .together }
    func cacheKeyFields(for request: ImageRequest) -> [String] { [request.promptToSend] }
    func callCount(_ id: String) -> Int { calls.withLock { $0[id] ?? 0 } }

    func generate(_ request: ImageRequest) async throws(GenerationError) -> ImagePayload {
        let attempt = calls.withLock { calls in
            calls[request.id, default: 0] += 1
            return calls[request.id]!
        }
        return .bytes(try answers(request, attempt).get())
    }

    static func png(_ request: ImageRequest) -> [UInt8] {
        try! PNGEncoder.encodeRGB([UInt8](repeating: 9, count: request.width * request.height * 3), width: request.width, height: request.height)
    }
}

@Suite struct GenerationEngineTests {
    func jobs(_ count: Int) -> [GenerationJob] {
        (0..<count).map { i in
            GenerationJob(
                request: ImageRequest(id: "0-\(i)", caption: nil, prompt: "p\(i)", promptToSend: "p\(i)", width: 256, height: 256, seed: 1),
                key: CacheKey.make(["p\(i)"]))
        }
    }

    func withStore(_ body: (ImageStore) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wsimg-engine-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ImageStore(directory: folder, urlPrefix: "img")
        try store.prepare()
        try await body(store)
    }

    @Test func retriesTransientFailuresThenWritesValidatedImages() async throws {
        try await withStore { store throws in
            let provider = ScriptedProvider { request, attempt in
                switch (request.id, attempt) {
                case ("0-0", 1): .failure(.server(status: 503, message: nil))
                case ("0-1", 1): .success(Array(ScriptedProvider.png(request).prefix(100)))  // truncated
                default: .success(ScriptedProvider.png(request))
                }
            }
            let engine = GenerationEngine(provider: provider, store: store, concurrency: 2, policy: RetryPolicy(retries: 2, baseDelay: 0), events: { _ in })
            let results = await engine.run(jobs(3))
            #expect(results.count == 3)
            #expect(results.allSatisfy { $0.status == .generated })
            #expect(provider.callCount("0-0") == 2 && provider.callCount("0-1") == 2 && provider.callCount("0-2") == 1)
            for job in jobs(3) {
                #expect(PNGValidator.quickCheck(fileAt: store.path(id: job.request.id, key: job.key), width: 256, height: 256))
            }
        }
    }

    @Test func givesUpAfterTheRetryBudgetAndWritesNothing() async throws {
        try await withStore { store throws in
            let provider = ScriptedProvider { _, _ in .failure(.badResponse("garbage")) }
            let engine = GenerationEngine(provider: provider, store: store, concurrency: 1, policy: RetryPolicy(retries: 2, baseDelay: 0), events: { _ in })
            let results = await engine.run(jobs(1))
            #expect(results.first?.status == .failed(.own("unexpected response: garbage")))
            #expect(results.first?.attempts == 3)
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.directory).isEmpty)
        }
    }

    @Test func doesNotRetryRefusedRequests() async throws {
        try await withStore { store throws in
            let provider = ScriptedProvider { _, _ in .failure(.rejected(status: 400, message: "bad prompt")) }
            let engine = GenerationEngine(provider: provider, store: store, concurrency: 1, policy: RetryPolicy(retries: 5, baseDelay: 0), events: { _ in })
            let results = await engine.run(jobs(2))
            #expect(results.allSatisfy { $0.attempts == 1 })
        }
    }

    @Test func stopsStartingRequestsWhenTheKeyIsRefused() async throws {
        try await withStore { store throws in
            let provider = ScriptedProvider { _, _ in .failure(.unauthorized(status: 401, message: nil)) }
            let engine = GenerationEngine(provider: provider, store: store, concurrency: 1, policy: RetryPolicy(retries: 2, baseDelay: 0), events: { _ in })
            let stop = GenerationEngine.StopSignal()
            let results = await engine.run(jobs(5), stop: stop)
            #expect(results.count == 5)
            #expect(stop.current == .upstream(.unauthorized(status: 401, message: nil)))
            #expect((0..<5).map { provider.callCount("0-\($0)") }.reduce(0, +) == 1)
        }
    }

    @Test func rateLimitsDoNotUseUpRetries() async throws {
        try await withStore { store throws in
            let provider = ScriptedProvider { request, attempt in
                attempt <= 2 ? .failure(.rateLimited(retryAfter: 0)) : .success(ScriptedProvider.png(request))
            }
            let engine = GenerationEngine(provider: provider, store: store, concurrency: 1, policy: RetryPolicy(retries: 0, baseDelay: 0), events: { _ in })
            let results = await engine.run(jobs(1))
            #expect(results.first?.status == .generated)
            #expect(results.first?.attempts == 3)
        }
    }

    @Test func cancellationInterruptsWithoutWriting() async throws {
        try await withStore { store throws in
            let provider = ScriptedProvider { request, _ in .success(ScriptedProvider.png(request)) }
            let engine = GenerationEngine(provider: provider, store: store, concurrency: 2, policy: RetryPolicy(), events: { _ in })
            let task = Task { await engine.run(jobs(4)) }
            task.cancel()
            let results = await task.value
            #expect(results.allSatisfy { $0.status == .interrupted || $0.status == .generated })
            let written = try FileManager.default.contentsOfDirectory(atPath: store.directory)
            #expect(written.count == results.filter { $0.status == .generated }.count)
        }
    }
}

@Suite struct RequestGateTests {
    @Test func halvesTheLimitOnceForABurstOfRateLimitsAndGrowsItBack() async throws {
        let gate = RequestGate(maxInFlight: 8)
        let early = [try await gate.acquire(), try await gate.acquire(), try await gate.acquire()]
        for ticket in early { await gate.release(ticket, .rateLimited(retryAfter: 0)) }
        // Three 429s for requests in flight together are one slow-down, not three; the server took
        // (as far as we know) the two requests of the last second that it did not refuse.
        #expect(await gate.limit == 4)
        #expect(await gate.rate == 2 * 0.9)
        #expect(await gate.rateLimitedCount == 3)
        let later = try await gate.acquire()
        await gate.release(later, .rateLimited(retryAfter: 0))
        #expect(await gate.limit == 2)
        #expect(await gate.rate == 2 * 0.9 * 0.85)
        for _ in 0..<3 {
            await gate.release(try await gate.acquire(), .succeeded)
        }
        #expect(await gate.limit > 2)
        #expect(await gate.rate! > 2 * 0.9 * 0.85)
    }

    @Test func setsTheFirstRateFromWhatTheServerAcceptedInTheLastSecond() async throws {
        let gate = RequestGate(maxInFlight: 16)
        for _ in 0..<6 { await gate.release(try await gate.acquire(), .succeeded) }
        #expect(await gate.rate == nil)
        await gate.release(try await gate.acquire(), .rateLimited(retryAfter: 0))
        #expect(await gate.rate == 6 * 0.9)
        #expect(await gate.limit <= 16)
    }

    @Test func neverAdmitsMoreThanTheLimit() async throws {
        let gate = RequestGate(maxInFlight: 2)
        let first = try await gate.acquire()
        _ = try await gate.acquire()
        let third = Task { try await gate.acquire() }
        #expect(await gate.inFlight == 2)
        await gate.release(first, .succeeded)
        _ = try await third.value
        #expect(await gate.inFlight == 2)
    }

    @Test func cancellationEndsAWait() async throws {
        let gate = RequestGate(maxInFlight: 1)
        _ = try await gate.acquire()
        let waiting = Task { try await gate.acquire() }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
    }

    @Test(arguments: [(1, 1.0), (2, 2.0), (3, 4.0), (6, 30.0), (9, 30.0)])
    func pausesLongerForRepeatedRateLimitsWithoutRetryAfter(consecutive: Int, pause: Double) {
        #expect(RequestGate.pauseWithoutRetryAfter(consecutive: consecutive) == pause)
    }
}
