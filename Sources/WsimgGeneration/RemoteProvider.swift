import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Generates through the web app's batch route (`POST /api/worksheet/generate-images`), which holds
/// the Together key on its server. Sends the prompts raw and the worksheet's sizes: the server applies
/// the same prompt and size rules itself.
package struct RemoteProvider: ImageProvider {
    package static let defaultBatchSize = 8
    /// The server runs a batch's images at once and retries each up to 3 times (waits 1 s and 2 s).
    package static let defaultTimeout = 300.0
    package static let routePath = ServiceEndpoints.batchRoutePath

    package let endpoint: ServiceURL
    package let token: String?
    package let batchSize: Int
    package let timeout: Double
    package let transport: any HTTPTransport

    package init(endpoint: ServiceURL, token: String?, batchSize: Int, timeout: Double, transport: any HTTPTransport) {
        self.endpoint = endpoint
        self.token = token
        self.batchSize = batchSize
        self.timeout = timeout
        self.transport = transport
    }

    package var kind: ProviderKind { .remote }
    package var isRoute: Bool { true }
    package var settings: [ProviderSetting] { [ProviderSetting("--provider", name), ProviderSetting("--endpoint", endpoint.string)] }
    package var paceIdentity: String? { endpoint.string + "\n" + (token ?? "") }
    package var serviceHost: String? { endpoint.host }

    package func cacheKeyFields(for request: ImageRequest) -> [String] {
        // The server picks its own seed; a redone picture is simply asked for again, under another key.
        ["remote", endpoint.string, request.prompt, "\(request.width)x\(request.height)"] + (request.redone ? ["redo=\(request.seed)"] : [])
    }

    /// The id each request of a batch goes out under: its element's id, made unique within the batch.
    /// One batch often holds several requests for one id (the variants of an element, or several
    /// worksheets whose elements are named by position), and the answers are matched by these ids.
    package static func wireIDs(for requests: [ImageRequest]) -> [String] {
        var taken = Set<String>()
        let repeated = Dictionary(requests.map { ($0.id, 1) }, uniquingKeysWith: +).filter { $0.value > 1 }
        var wire: [String] = []
        for request in requests {
            var id = request.id
            if repeated[request.id] != nil || taken.contains(id) {
                var copy = 1
                repeat {
                    id = "\(request.id)~\(copy)"
                    copy += 1
                } while taken.contains(id) || repeated[id] != nil
            }
            taken.insert(id)
            wire.append(id)
        }
        return wire
    }

    package func body(for requests: [ImageRequest]) -> String {
        let images = zip(requests, Self.wireIDs(for: requests)).map { request, id in
            #"{"id":\#(JSONWriter.quoted(id)),"prompt":\#(JSONWriter.quoted(request.prompt)),"# + #""width":\#(request.requestedWidth),"height":\#(request.requestedHeight)}"#
        }
        return #"{"images":[\#(images.joined(separator: ","))]}"#
    }

    package func generate(batch requests: [ImageRequest]) async throws(GenerationError) -> [Result<ImagePayload, GenerationError>] {
        let http = HTTPRequest(
            url: endpoint.string, headers: token.map { ["Authorization: Bearer \($0)"] } ?? [],
            body: Array(body(for: requests).utf8), timeout: timeout)
        let response: HTTPResponse
        do {
            response = try await transport.send(http)
        } catch {
            throw error == .cancelled ? .cancelled : .transport(error)
        }
        let redactor = Redactor(secrets: [token].compactMap { $0 })
        try UpstreamStatus.check(response, from: .batchRoute, url: endpoint.display, redactor: redactor)
        return try Self.answers(in: response.body, for: requests, redactor: redactor)
    }

    /// The fields of the route's answer wsimg reads; everything else is scanned and forgotten.
    package static let fields: [[JSONFieldCapture.Pattern]] = [
        [.key("success")], [.key("error")], [.key("results")], [.key("results"), .anyIndex],
        [.key("results"), .anyIndex, .key("id")], [.key("results"), .anyIndex, .key("success")],
        [.key("results"), .anyIndex, .key("error")], [.key("results"), .anyIndex, .key("image")],
    ]

    /// One answer per request: matched by the id it went out under (`wireIDs`), or by position when
    /// the server sends no ids at all. Each image is decoded from the body where it is, one at a time.
    package static func answers(in body: [UInt8], for requests: [ImageRequest], redactor: Redactor = Redactor(secrets: [])) throws(GenerationError) -> [Result<ImagePayload, GenerationError>] {
        let answer = try JSONFieldCapture.answer(body, fields)
        let isObject = answer.root?.value.typeName == "an object"
        if isObject, answer[.key("success")]?.value == .scalar(.bool(false)) {
            throw .server(status: 200, message: answer[.key("error")]?.value.text.map { TerminalText.safe(redactor.redact($0)) } ?? "the server reported a failure")
        }
        guard isObject, case .container(isObject: false, let count)? = answer[.key("results")]?.value else {
            throw .badResponse("no \"results\" in the answer")
        }
        func field(_ index: Int, _ name: String) -> JSONFieldCapture.Field? {
            answer[.key("results"), .index(index)]?.value.typeName == "an object" ? answer[.key("results"), .index(index), .key(name)] : nil
        }
        let ids = (0..<count).map { field($0, "id")?.value.text }
        let withIDs = ids.contains { $0 != nil }
        var byID: [String: [Int]] = [:]
        for (index, id) in ids.enumerated() {
            if let id { byID[id, default: []].append(index) }
        }
        return wireIDs(for: requests).enumerated().map { position, id in
            let index: Int
            if withIDs {
                // An answer is only ever taken for the request it names; one named twice answers nothing.
                switch byID[id]?.count ?? 0 {
                case 0: return .failure(.badResponse("the server sent no result for this image"))
                case 1: index = byID[id]![0]
                default: return .failure(.badResponse("the server sent several results for this image"))
                }
            } else {
                guard position < count else { return .failure(.badResponse("the server sent no result for this image")) }
                index = position
            }
            guard field(index, "success")?.value == .scalar(.bool(true)) else {
                return .failure(imageError(field(index, "error")?.value.text ?? "no reason given", redactor: redactor))
            }
            guard let encoded = JSONFieldCapture.text(of: field(index, "image"), in: body) else {
                return .failure(.badResponse("a successful result without an image"))
            }
            return image(encoded)
        }
    }

    /// A result's `image`: base64, or a `data:` URL of it.
    package static func image(_ text: String) -> Result<ImagePayload, GenerationError> {
        var encoded = Substring(text)
        if encoded.hasPrefix("data:"), let comma = encoded.firstIndex(of: ",") { encoded = encoded[encoded.index(after: comma)...] }
        guard let bytes = Base64.decode(encoded) else { return .failure(.badResponse("the image is not valid base64")) }
        return .success(.bytes(bytes))
    }

    /// The route reports Together's refusal of one image as `FLUX API error: <status> - <Together's body>`:
    /// the status says whether to slow down, stop, give up on the image, or try it again.
    package static func imageError(_ raw: String, redactor: Redactor) -> GenerationError {
        let text = TerminalText.safe(redactor.redact(raw))
        let prefix = "FLUX API error: "
        guard raw.hasPrefix(prefix), let status = Int(raw.dropFirst(prefix.count).prefix(while: \.isNumber)) else {
            return .imageFailed(text)
        }
        let body = raw.range(of: " - ").map { String(raw[$0.upperBound...]) } ?? ""
        let message = UpstreamStatus.errorMessage(in: Array(body.utf8), redactor: redactor) ?? text
        switch status {
        case 429: return .rateLimited(retryAfter: nil)
        case 503: return .overloaded(retryAfter: nil)
        case 401, 402, 403: return .serverKeyProblem(status: status, message: message)
        case 400, 422: return .rejected(status: status, message: message)
        default: return .imageFailed(text)
        }
    }
}
