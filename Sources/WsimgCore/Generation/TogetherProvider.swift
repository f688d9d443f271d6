/// Calls Together AI's `POST /v1/images/generations` directly with the user's key.
public struct TogetherProvider: SingleImageProvider {
    public static let defaultBaseURL = "https://api.together.xyz"
    public static let defaultModel = "black-forest-labs/FLUX.1-schnell"
    public static let defaultSteps = 4
    public static let defaultTimeout = 120.0

    public let baseURL: String
    let apiKey: String
    public let model: String
    public let steps: Int
    public let timeout: Double
    let transport: any HTTPTransport
    /// Where answers' images are streamed to as they arrive (the images folder); nil keeps them in memory.
    let spoolDirectory: String?

    public init(baseURL: String, apiKey: String, model: String, steps: Int, timeout: Double, transport: any HTTPTransport,
                spoolDirectory: String? = nil) {
        self.spoolDirectory = spoolDirectory
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.model = model
        self.steps = steps
        self.timeout = timeout
        self.transport = transport
    }

    public var name: String { "together" }
    public var endpoint: String { baseURL + "/v1/images/generations" }

    public func cacheKeyFields(for request: ImageRequest) -> [String] {
        ["together", model, request.promptToSend, "\(request.width)x\(request.height)", "steps=\(steps)", "seed=\(request.seed)"]
    }

    func body(for request: ImageRequest) -> String {
        """
        {"model":\(JSONWriter.quoted(model)),"prompt":\(JSONWriter.quoted(request.promptToSend)),\
        "width":\(request.width),"height":\(request.height),"steps":\(steps),"n":1,"seed":\(request.seed),\
        "response_format":"b64_json","output_format":"png"}
        """
    }

    public func generate(_ request: ImageRequest) async throws(GenerationError) -> ImagePayload {
        let spool = spoolDirectory.map { Base64FieldSpool(field: "b64_json", directory: $0) }
        let http = HTTPRequest(url: endpoint, headers: ["Authorization: Bearer \(apiKey)"],
                               body: Array(body(for: request).utf8), timeout: timeout, sink: spool)
        let response: HTTPResponse
        do {
            response = try await transport.send(http)
        } catch {
            throw error == .cancelled ? .cancelled : .transport(error)
        }
        let redactor = Redactor(secrets: [apiKey])
        try UpstreamStatus.check(response, redactor: redactor)
        guard let spool else { return .bytes(try Self.image(from: response.body)) }
        // The body kept by the spool is the answer with the image string emptied: check its shape.
        _ = try Self.imageField(in: response.body)
        if let problem = spool.problem { throw .badResponse(problem) }
        guard let file = spool.finish() else { throw .badResponse(spool.problem ?? "no image in the answer") }
        return .spooled(file)
    }

    /// `data[0].b64_json`, decoded.
    public static func image(from body: [UInt8]) throws(GenerationError) -> [UInt8] {
        guard let bytes = Base64.decode(try imageField(in: body)) else { throw .badResponse("the image is not valid base64") }
        return bytes
    }

    /// `data[0].b64_json` as text, or what is wrong with the answer's shape.
    public static func imageField(in body: [UInt8]) throws(GenerationError) -> String {
        let root: JSONNode
        do {
            root = try JSONParser.parse(body, maxDepth: 32)
        } catch {
            throw .badResponse("the body is not JSON (\(error.message))")
        }
        guard let first = root["data"]?.arrayValue?.first else { throw .badResponse("no \"data\" in the answer") }
        guard let encoded = first["b64_json"]?.stringValue else {
            throw .badResponse(first["url"] != nil ? "the image came as a URL, not base64" : "no image in the answer")
        }
        return encoded
    }
}

/// Maps an upstream's HTTP status to what wsimg does about it.
enum UpstreamStatus {
    static func check(_ response: HTTPResponse, redactor: Redactor) throws(GenerationError) {
        let status = response.status
        guard !(200..<300).contains(status) else { return }
        let message = errorMessage(in: response.body).map(redactor.redact)
        switch status {
        case 429:
            throw .rateLimited(retryAfter: RetryAfter.seconds(from: response))
        case 401, 403:
            throw .unauthorized(status: status, message: message)
        case 402:
            throw .outOfCredit(message: message)
        case 400, 404, 413, 422:
            throw .rejected(status: status, message: message ?? "no reason given")
        case 408, 500...599:
            throw .server(status: status, message: message)
        default:
            throw .server(status: status, message: message)
        }
    }

    /// Together answers `{"error":{"message":…}}`; other servers `{"error":"…"}` or `{"message":…}`.
    static func errorMessage(in body: [UInt8]) -> String? {
        guard let root = try? JSONParser.parse(body, maxDepth: 32) else { return nil }
        let text = root["error"]?["message"]?.stringValue ?? root["error"]?.stringValue ?? root["message"]?.stringValue
        return text.map { String($0.prefix(300)) }
    }
}

/// Removes secrets from text that came from elsewhere (an upstream may echo the request).
public struct Redactor: Sendable {
    let secrets: [String]

    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 4 }
    }

    public func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingAll($1, with: "[redacted]") }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
