import Foundation
import Synchronization
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// A loopback stand-in for the web app's `POST /api/worksheet/generate-images`, faithful to its contract:
/// it validates the batch as the route does, runs all images of a request at once, answers in request
/// order, and (like the deployed route, which does not ask Together for PNG) sends JPEG bytes.
package final class FakeBatchRoute: Sendable {
    package enum Mode: Sendable {
        case normal
        /// The server has no TOGETHER_API_KEY: every request gets 500 "API key not configured".
        case notConfigured
        /// Requests must carry `Authorization: Bearer <token>`.
        case requireToken(String)
    }

    package enum ImageOutcome: Sendable, Equatable {
        case jpeg, png
        /// A PNG unlike any the route sent before, as the real route (which sends Together no seed) makes.
        case freshPNG
        /// `success:false` with this error, as the route reports an image that failed its 3 tries.
        case fail(String)

        var isPicture: Bool { if case .fail = self { false } else { true } }
    }

    package enum BatchFault: Sendable {
        case none
        case status(Int, body: String)
        case garbage
        case drop
    }

    package struct Image: Sendable, Equatable {
        package let id: String
        package let prompt: String
        package let width: Int
        package let height: Int

        package init(id: String, prompt: String, width: Int, height: Int) {
            self.id = id
            self.prompt = prompt
            self.width = width
            self.height = height
        }
    }

    /// `(id, attempt for that id) -> outcome`.
    package typealias ImageScript = @Sendable (_ id: String, _ attempt: Int) -> ImageOutcome
    /// `(batch index) -> fault`.
    package typealias BatchScript = @Sendable (_ batch: Int) -> BatchFault

    private let server: HTTPServer
    private let state: RouteState
    /// Together behind the route, when it has a rate limit: each image is tried as the seed's route
    /// does, three times, waiting 1 s and then 2 s after a 429, and reported `FLUX API error: 429`
    /// after the third.
    package let upstream: SlidingWindowLimiter?

    package init(
        mode: Mode = .normal, latency: Double = 0.05, sendIDs: Bool = true, upstream: SlidingWindowLimiter? = nil,
        images script: @escaping ImageScript = { _, _ in .jpeg }, batches batchScript: @escaping BatchScript = { _ in .none }
    ) throws {
        let state = RouteState()
        self.state = state
        self.upstream = upstream
        server = try HTTPServer { request in
            Self.handle(
                request, mode: mode, latency: latency, sendIDs: sendIDs, upstream: upstream, script: script, batchScript: batchScript,
                state: state)
        }
    }

    /// 429s Together gave the route (each of the route's tries counts).
    package var upstreamRateLimited: Int { upstream?.rejected ?? 0 }

    package var url: String { server.baseURL + "/api/worksheet/generate-images" }
    /// The web app's own address, which `--endpoint` also accepts.
    package var baseURL: String { server.baseURL }
    package var batches: [[Image]] { state.snapshot.batches }
    package var authorizations: [String?] { state.snapshot.authorizations }
    package var requestCount: Int { server.requestCount }
    package var maxConcurrentBatches: Int { server.maxConcurrentRequests }
    package var maxImagesRunningAtOnce: Int { state.snapshot.maxImagesRunning }
    package func stop() { server.stop() }

    static func fail(_ status: Int, _ message: String) -> HTTPServer.Reply {
        .respond(status: status, body: Array(#"{"success":false,"error":\#(JSONWriter.quoted(message))}"#.utf8))
    }

    static func handle(
        _ request: HTTPServer.Request, mode: Mode, latency: Double, sendIDs: Bool, upstream: SlidingWindowLimiter?, script: ImageScript,
        batchScript: BatchScript, state: RouteState
    ) -> HTTPServer.Reply {
        guard request.method == "POST", request.path == "/api/worksheet/generate-images" else { return fail(404, "Not found") }
        let batchIndex = state.record(authorization: request.headers["authorization"])
        if case .requireToken(let token) = mode, request.headers["authorization"] != "Bearer \(token)" {
            return fail(401, "Unauthorized")
        }
        guard let root = try? JSONParser.parse(request.body), let list = root["images"]?.arrayValue, !list.isEmpty else {
            return fail(400, "Images array is required and must not be empty")
        }
        var images: [Image] = []
        for item in list {
            guard let prompt = item["prompt"]?.stringValue, !prompt.isEmpty else { return fail(400, "Each image must have a prompt") }
            images.append(
                Image(
                    id: item["id"]?.stringValue ?? "", prompt: prompt,
                    width: item["width"]?.numberValue.map { Int($0) } ?? 512, height: item["height"]?.numberValue.map { Int($0) } ?? 512))
        }
        state.record(batch: images)
        if case .notConfigured = mode { return fail(500, "API key not configured") }
        switch batchScript(batchIndex) {
        case .none: break
        case .status(let status, let body): return .respond(status: status, body: Array(body.utf8))
        case .garbage: return .respond(status: 200, headers: ["Content-Type": "text/html"], body: Array("<html>502</html>".utf8))
        case .drop: return .drop
        }
        // All images of the request at once, as the route's Promise.all does.
        let outcomes = images.map { script($0.id, state.nextAttempt($0.id)) }
        let results = RequestLog<(Int, String)>()
        let group = DispatchGroup()
        for (index, image) in images.enumerated() {
            group.enter()
            let planned = outcomes[index]
            Thread {
                state.imageStarted()
                Thread.sleep(forTimeInterval: latency)
                var outcome = planned
                if let upstream, planned.isPicture {
                    // The route's three tries against Together's limit, 1 s and 2 s apart.
                    var tries = 1
                    while upstream.admit() != nil {
                        guard tries < 3 else {
                            outcome = .fail(#"FLUX API error: 429 - {"error":{"message":"rate limit exceeded","type":"rate_limit"}}"#)
                            break
                        }
                        Thread.sleep(forTimeInterval: Double(tries))
                        tries += 1
                    }
                }
                let json = result(for: image, outcome: outcome, sendID: sendIDs, fresh: state.nextFreshPicture())
                state.imageFinished()
                results.append((index, json))
                group.leave()
            }.start()
        }
        group.wait()
        let failed = outcomes.filter { if case .fail = $0 { return true } else { return false } }.count
        let body = #"{"success":true,"results":[\#(results.all.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: ","))],"stats":{"total":\#(images.count),"successful":\#(images.count - failed),"failed":\#(failed),"duration":\#(Int(latency * 1000))}}"#
        return .respond(status: 200, body: Array(body.utf8))
    }

    static func result(for image: Image, outcome: ImageOutcome, sendID: Bool, fresh: Int) -> String {
        let id = sendID ? #""id":\#(JSONWriter.quoted(image.id)),"# : ""
        let width = SizeRules.normalise(image.width)
        let height = SizeRules.normalise(image.height)
        let prompt = JSONWriter.quoted(PromptEnhancer.enhance(image.prompt))
        switch outcome {
        case .fail(let message):
            return #"{\#(id)"success":false,"error":\#(JSONWriter.quoted(message)),"prompt":\#(prompt)}"#
        case .jpeg, .png, .freshPNG:
            let bytes =
                switch outcome {
                case .jpeg: jpeg(width: width, height: height)
                case .freshPNG: FakeTogether.png(width: width, height: height, prompt: image.prompt + " \(fresh)")
                default: FakeTogether.png(width: width, height: height, prompt: image.prompt)
                }
            return #"{\#(id)"success":true,"image":"\#(Base64.encode(bytes))","prompt":\#(prompt),"dimensions":{"width":\#(width),"height":\#(height)}}"#
        }
    }

    static func jpeg(width: Int, height: Int) -> [UInt8] { FakeTogether.jpeg(width: width, height: height) }
}

/// What the route saw, shared by the server's handler threads.
final class RouteState: Sendable {
    struct Snapshot {
        var batches: [[FakeBatchRoute.Image]] = []
        var authorizations: [String?] = []
        var attempts: [String: Int] = [:]
        var imagesRunning = 0
        var maxImagesRunning = 0
        var requests = 0
        var freshPictures = 0
    }

    private let state = Mutex(Snapshot())

    var snapshot: Snapshot { state.withLock { $0 } }

    /// Returns the request's 0-based index.
    func record(authorization: String?) -> Int {
        state.withLock { state in
            state.authorizations.append(authorization)
            state.requests += 1
            return state.requests - 1
        }
    }

    func record(batch: [FakeBatchRoute.Image]) { state.withLock { $0.batches.append(batch) } }

    func nextFreshPicture() -> Int {
        state.withLock { state in
            state.freshPictures += 1
            return state.freshPictures
        }
    }

    func nextAttempt(_ id: String) -> Int {
        state.withLock { state in
            state.attempts[id, default: 0] += 1
            return state.attempts[id]!
        }
    }

    func imageStarted() {
        state.withLock { state in
            state.imagesRunning += 1
            state.maxImagesRunning = max(state.maxImagesRunning, state.imagesRunning)
        }
    }

    func imageFinished() { state.withLock { $0.imagesRunning -= 1 } }
}
