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

@Suite struct RemoteProviderTests {
    func request(_ id: String, width: Int = 400, height: Int = 300) -> ImageRequest {
        ImageRequest(
            id: id, caption: nil, prompt: "кіт \(id)", promptToSend: "enhanced", width: SizeRules.normalise(width),
            height: SizeRules.normalise(height), seed: 1, requestedWidth: width, requestedHeight: height)
    }

    static let png = try! PNGEncoder.encodeRGB([UInt8](repeating: 7, count: 256 * 256 * 3), width: 256, height: 256)

    @Test func sendsRawPromptsAndTheWorksheetsSizes() throws {
        let provider = RemoteProvider(endpoint: try ServiceURL("https://x/api"), token: nil, batchSize: 8, timeout: 1, transport: NoTransport())
        let body = try JSONParser.parse(Array(provider.body(for: [request("0-1"), request("0-2", width: 512, height: 512)]).utf8))
        let images = try #require(body["images"]?.arrayValue)
        #expect(images.count == 2)
        #expect(images[0]["id"]?.stringValue == "0-1")
        #expect(images[0]["prompt"]?.stringValue == "кіт 0-1")
        #expect(images[0]["width"]?.numberValue == 400 && images[0]["height"]?.numberValue == 300)
    }

    @Test func matchesResultsByIDWhateverTheirOrder() throws {
        let body = #"{"success":true,"results":[{"id":"b","success":false,"error":"nope"},{"id":"zz","success":true,"image":"\#(Base64.encode(Self.png))"},{"id":"a","success":true,"image":"data:image/png;base64,\#(Base64.encode(Self.png))"}]}"#
        let answers = try RemoteProvider.answers(in: Array(body.utf8), for: [request("a"), request("b"), request("c")])
        #expect(answers[0].bytes == Self.png)
        #expect(answers[1].error == .imageFailed("nope"))
        #expect(answers[2].error == .badResponse("the server sent no result for this image"))
    }

    /// Review 3, item 2: several requests for one id in one batch (variants, or worksheets named by
    /// position) each go out under an id of their own, and each takes only its own answer.
    @Test func requestsSharingAnIDGoOutUnderIDsOfTheirOwn() throws {
        let requests = [request("0-0"), request("0-0"), request("0-0~1"), request("0-1"), request("0-0")]
        let wire = RemoteProvider.wireIDs(for: requests)
        #expect(Set(wire).count == requests.count)
        #expect(wire[3] == "0-1")
        let provider = RemoteProvider(endpoint: try ServiceURL("https://x/api"), token: nil, batchSize: 8, timeout: 1, transport: NoTransport())
        let sent = try #require(try JSONParser.parse(Array(provider.body(for: requests).utf8))["images"]?.arrayValue)
        #expect(sent.compactMap { $0["id"]?.stringValue } == wire)
        let other = try PNGEncoder.encodeRGB([UInt8](repeating: 9, count: 256 * 256 * 3), width: 256, height: 256)
        let body = #"{"success":true,"results":[{"id":"\#(wire[4])","success":true,"image":"\#(Base64.encode(other))"},{"id":"\#(wire[0])","success":true,"image":"\#(Base64.encode(Self.png))"}]}"#
        let answers = try RemoteProvider.answers(in: Array(body.utf8), for: requests)
        #expect(answers[0].bytes == Self.png)
        #expect(answers[4].bytes == other)
        for index in 1...3 { #expect(answers[index].error == .badResponse("the server sent no result for this image")) }
    }

    @Test func anIDAnsweredTwiceAnswersNothingAndNoOtherRequest() throws {
        let body = #"{"success":true,"results":[{"id":"a","success":true,"image":"\#(Base64.encode(Self.png))"},{"id":"a","success":true,"image":"\#(Base64.encode(Self.png))"},{"id":"b","success":true,"image":"\#(Base64.encode(Self.png))"},{"id":"zz","success":true,"image":"\#(Base64.encode(Self.png))"}]}"#
        let answers = try RemoteProvider.answers(in: Array(body.utf8), for: [request("a"), request("b"), request("c")])
        #expect(answers[0].error == .badResponse("the server sent several results for this image"))
        #expect(answers[1].bytes == Self.png)
        #expect(answers[2].error == .badResponse("the server sent no result for this image"))
    }

    /// The route wraps Together's refusal of one image as `FLUX API error: <status> - <body>`.
    @Test(arguments: [
        (#"FLUX API error: 429 - {"error":{"message":"slow down"}}"#, GenerationError.rateLimited(retryAfter: nil)),
        (#"FLUX API error: 503 - {"error":{"message":"busy"}}"#, .overloaded(retryAfter: nil)),
        (
            #"FLUX API error: 401 - {"error":{"message":"Invalid API key provided","type":"invalid_request_error"}}"#,
            .serverKeyProblem(status: 401, message: "Invalid API key provided")
        ),
        (#"FLUX API error: 402 - {"error":{"message":"Credit limit exceeded"}}"#, .serverKeyProblem(status: 402, message: "Credit limit exceeded")),
        (#"FLUX API error: 400 - {"error":{"message":"prompt is too long"}}"#, .rejected(status: 400, message: "prompt is too long")),
        ("FLUX API error: 500 - upstream", .imageFailed("FLUX API error: 500 - upstream")),
        ("No image data in response", .imageFailed("No image data in response")),
        ("FLUX API error: \u{1b}[2J", .imageFailed("FLUX API error: ^[[2J")),
    ])
    func readsTogethersStatusInsideTheRoutesError(message: String, error: GenerationError) {
        #expect(RemoteProvider.imageError(message, redactor: Redactor(secrets: [])) == error)
    }

    @Test func dispositionsOfTheRoutesImageErrors() {
        #expect(GenerationError.serverKeyProblem(status: 401, message: "x").disposition == .stopRun)
        #expect(GenerationError.rejected(status: 400, message: "x").disposition == .fail)
        #expect(GenerationError.overloaded(retryAfter: nil).disposition == .pace)
    }

    @Test func answersCarryTheRawPictureForTheEngineToConvert() throws {
        let jpeg = try #require(ImageConverter.jpeg(rgb: [UInt8](repeating: 50, count: 256 * 256 * 3), width: 256, height: 256))
        let body = #"{"success":true,"results":[{"id":"a","success":true,"image":"data:image/png;base64,\#(Base64.encode(jpeg))"}]}"#
        let answers = try RemoteProvider.answers(in: Array(body.utf8), for: [request("a")])
        #expect(answers[0].bytes == jpeg)
    }

    @Test func fallsBackToPositionWithoutIDs() throws {
        let body = #"{"success":true,"results":[{"success":true,"image":"\#(Base64.encode(Self.png))"}]}"#
        let answers = try RemoteProvider.answers(in: Array(body.utf8), for: [request("a"), request("b")])
        #expect(answers[0].bytes == Self.png)
        #expect(answers[1].error == .badResponse("the server sent no result for this image"))
    }

    @Test(arguments: [
        ("<html>", GenerationError.badResponse("the body is not JSON (unexpected character '<')")),
        (#"{"success":true}"#, .badResponse("no \"results\" in the answer")),
        (#"{"success":false,"error":"boom"}"#, .server(status: 200, message: "boom")),
    ])
    func rejectsBadBodiesAsAWhole(body: String, error: GenerationError) {
        #expect(throws: error) { try RemoteProvider.answers(in: Array(body.utf8), for: [request("a")]) }
    }

    func check(_ status: Int, _ body: String) -> GenerationError? {
        do {
            try UpstreamStatus.check(
                HTTPResponse(status: status, headers: [], body: Array(body.utf8)), from: .batchRoute, url: "https://x/api",
                redactor: Redactor(secrets: ["tok-123"]))
            return nil
        } catch {
            return error
        }
    }

    @Test func mapsTheRoutesErrors() {
        #expect(
            check(400, #"{"success":false,"error":"Images array is required and must not be empty"}"#)
                == .rejected(status: 400, message: "Images array is required and must not be empty"))
        #expect(check(500, #"{"success":false,"error":"API key not configured"}"#) == .endpointNotConfigured("API key not configured"))
        #expect(check(500, #"{"success":false,"error":"Together down"}"#) == .server(status: 500, message: "Together down"))
        #expect(check(401, #"{"error":"bad token tok-123"}"#) == .endpointRefused(status: 401, message: "bad token [redacted]", url: "https://x/api"))
        #expect(check(503, "")?.disposition == .pace)
        #expect(check(404, "")?.disposition == .stopRun)
        #expect(check(200, "") == nil)
    }
}

@Suite struct ImageConverterTests {
    @Test func turnsJPEGIntoAValidPNGOfTheSameSize() throws {
        var pixels = [UInt8](repeating: 0, count: 272 * 256 * 3)
        for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: i / 7) }
        let jpeg = try #require(ImageConverter.jpeg(rgb: pixels, width: 272, height: 256))
        #expect(jpeg.starts(with: [0xFF, 0xD8, 0xFF]))
        let png = try ImageConverter.png(from: jpeg)
        try PNGValidator.validate(png, width: 272, height: 256)
    }

    @Test func passesPNGThrough() throws {
        #expect(try ImageConverter.png(from: RemoteProviderTests.png) == RemoteProviderTests.png)
    }

    @Test func reportsBrokenJPEG() throws {
        let jpeg = try #require(ImageConverter.jpeg(rgb: [UInt8](repeating: 90, count: 64 * 64 * 3), width: 64, height: 64))
        #expect(throws: ValidationError.self) { try ImageConverter.png(from: Array(jpeg.prefix(20))) }
        #expect(throws: ValidationError.self) { try ImageConverter.png(from: Array(jpeg.prefix(jpeg.count * 2 / 3))) }
    }
}

extension Result where Success == ImagePayload, Failure == GenerationError {
    var bytes: [UInt8]? {
        if case .success(.bytes(let bytes)) = self { return bytes }
        return nil
    }

    var error: GenerationError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
