import Foundation
import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Calls Together AI's `POST /v1/images/generations` directly with the user's key.
///
/// Asks for `response_format: "base64"` and `output_format: "png"` (the spec's enums), and takes
/// whatever the API documents in return: `b64_json` (streamed into a file as it arrives) or a `url`
/// to download (without the key), holding a PNG or a JPEG (FLUX.1 schnell ignores `output_format`).
package struct TogetherProvider: SingleImageProvider {
    package static let defaultBaseURL = "https://api.together.xyz/v1"
    package static let defaultModel = "black-forest-labs/FLUX.1-schnell"
    package static let defaultSteps = 4
    package static let defaultTimeout = 120.0

    /// The full `…/v1/images/generations` URL.
    package let endpoint: ServiceURL
    package let apiKey: String
    package let model: String
    package let steps: Int
    package let timeout: Double
    package let transport: any HTTPTransport
    /// Where answers' images are streamed to as they arrive (the images folder); nil keeps them in memory.
    package let spoolDirectory: String?
    package let downloader: ImageDownloader
    /// Where each answer's rate-limit headers go (to the request gate).
    package let rateReports: RateLimitReports?

    package init(
        endpoint: ServiceURL, apiKey: String, model: String, steps: Int, timeout: Double, transport: any HTTPTransport,
        spoolDirectory: String? = nil, allowInsecureHTTP: Bool = false, rateReports: RateLimitReports? = nil
    ) {
        self.rateReports = rateReports
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.model = model
        self.steps = steps
        self.timeout = timeout
        self.transport = transport
        self.spoolDirectory = spoolDirectory
        downloader = ImageDownloader(
            transport: transport, timeout: timeout, spoolDirectory: spoolDirectory,
            allowInsecureHTTP: allowInsecureHTTP)
    }

    package var kind: ProviderKind { .together }
    package var settings: [ProviderSetting] {
        [
            ProviderSetting("--provider", name), ProviderSetting("--model", model), ProviderSetting("--steps", "\(steps)"),
            ProviderSetting("TOGETHER_BASE_URL", endpoint.string),
        ]
    }
    package var paceIdentity: String? { Self.paceIdentity(endpoint: endpoint, apiKey: apiKey) }

    /// What shares one rate limit: the endpoint and the key used there (hashed into a file name, never stored).
    package static func paceIdentity(endpoint: ServiceURL, apiKey: String) -> String { endpoint.string + "\n" + apiKey }
    package var serviceHost: String? { endpoint.host }

    /// The API's own address adds nothing, so pictures made before the address counted keep their
    /// names; any other (a proxy, a test server) is part of what the picture is.
    package func cacheKeyFields(for request: ImageRequest) -> [String] {
        let fields = ["together", model, request.promptToSend, "\(request.width)x\(request.height)", "steps=\(steps)", "seed=\(request.seed)"]
        return endpoint.string == Self.defaultEndpoint ? fields : fields + ["api=\(endpoint.string)"]
    }

    package static let defaultEndpoint = (try? ServiceEndpoints.together(base: defaultBaseURL, allowInsecureHTTP: false).string) ?? ""

    package func body(for request: ImageRequest) -> String {
        """
        {"model":\(JSONWriter.quoted(model)),"prompt":\(JSONWriter.quoted(request.promptToSend)),\
        "width":\(request.width),"height":\(request.height),"steps":\(steps),"n":1,"seed":\(request.seed),\
        "response_format":"base64","output_format":"png"}
        """
    }

    package func generate(_ request: ImageRequest) async throws(GenerationError) -> ImagePayload {
        let mark = PictureMark.chunk(key: cacheKey(for: request))
        let spool = (request.spoolFolder ?? spoolDirectory).map { Base64FieldSpool(field: "b64_json", directory: $0, mark: mark) }
        do {
            return try await generate(request, mark: mark, spool: spool)
        } catch {
            // A failed answer's partial picture goes now, not when the transfer is released.
            spool?.spooled?.discard()
            throw error
        }
    }

    private func generate(_ request: ImageRequest, mark: [UInt8], spool: Base64FieldSpool?) async throws(GenerationError) -> ImagePayload {
        let http = HTTPRequest(
            url: endpoint.string, headers: ["Authorization: Bearer \(apiKey)"],
            body: Array(body(for: request).utf8), timeout: timeout, sink: spool)
        let response: HTTPResponse
        do {
            response = try await transport.send(http)
        } catch {
            throw error == .cancelled ? .cancelled : .transport(error)
        }
        if let headers = RateLimitHeaders(response) { rateReports?.record(headers) }
        try UpstreamStatus.check(response, from: .together, url: endpoint.display, redactor: Redactor(secrets: [apiKey]))
        // With a spool, the answer was read as it streamed past, the image going into the file.
        let answer = if let spool { try spool.answer() } else { try TogetherAnswer.parse(response.body) }
        switch answer {
        case .url(let url):
            return try await downloader.fetch(url, mark: mark, into: request.spoolFolder)
        case .base64(let encoded):
            guard let spool else {
                guard let bytes = Base64.decode(encoded) else { throw .badResponse("the image is not valid base64") }
                return .bytes(bytes)
            }
            if let failure = spool.writeError { throw .localWrite(failure) }
            if let problem = spool.problem { throw .badResponse(problem) }
            guard let file = spool.finish() else {
                if let failure = spool.writeError { throw .localWrite(failure) }
                throw .badResponse(spool.problem ?? "no image in the answer")
            }
            return .spooled(file)
        }
    }
}

/// Removes secrets from text that came from elsewhere (an upstream may echo the request).
package struct Redactor: Sendable {
    package let secrets: [String]

    package init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 4 }
    }

    package func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingAll($1, with: "[redacted]") }
    }
}
