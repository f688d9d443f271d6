/// Why one attempt at one image failed, and what the run should do about it.
public enum GenerationError: Error, Sendable, Equatable, CustomStringConvertible {
    case transport(TransportError)
    /// 408 or 5xx.
    case server(status: Int, message: String?)
    case rateLimited(retryAfter: Double?)
    /// 200 with a body that is not what the API promised.
    case badResponse(String)
    case invalidImage(ValidationError)
    /// 400/422: the API refused this image's request; retrying will not help.
    case rejected(status: Int, message: String)
    /// 401/403: the key (or endpoint token) is wrong; no request can succeed.
    case unauthorized(status: Int, message: String?)
    /// 402: the account has no credit left.
    case outOfCredit(message: String?)
    /// The batch endpoint answered, but could not make this one image.
    case imageFailed(String)
    /// The batch endpoint refused wsimg (401/403) or is not there (404).
    case endpointRefused(status: Int, message: String?)
    /// The batch endpoint has no Together key of its own ("API key not configured").
    case endpointNotConfigured(String)
    case cancelled

    public enum Disposition: Sendable, Equatable {
        case retry, pace, fail, stopRun
    }

    public var disposition: Disposition {
        switch self {
        case .transport(.cancelled), .cancelled: .fail
        case .transport(.tls): .fail
        case .transport, .server, .badResponse, .invalidImage, .imageFailed: .retry
        case .rateLimited: .pace
        case .rejected: .fail
        case .unauthorized, .outOfCredit, .endpointRefused, .endpointNotConfigured: .stopRun
        }
    }

    public var description: String {
        switch self {
        case .transport(let error): "\(error)"
        case .server(let status, let message): "server error \(status)" + (message.map { ": \($0)" } ?? "")
        case .rateLimited(let after): "rate limited" + (after.map { " (retry after \(TransportError.format($0)) s)" } ?? "")
        case .badResponse(let why): "unexpected response: \(why)"
        case .invalidImage(let error): "\(error)"
        case .rejected(let status, let message): "request refused (\(status)): \(message)"
        case .unauthorized(let status, let message):
            "the API key was refused (\(status))" + (message.map { ": \($0)" } ?? "") + ". Check TOGETHER_API_KEY."
        case .outOfCredit(let message):
            "the account is out of credit (402)" + (message.map { ": \($0)" } ?? "") + ". Add credit at together.ai, or use --provider placeholder."
        case .imageFailed(let message): "the server could not generate it: \(message)"
        case .endpointRefused(404, let message):
            "the endpoint has no batch route (404)" + (message.map { ": \($0)" } ?? "") + ". Check --endpoint or WSIMG_ENDPOINT."
        case .endpointRefused(let status, let message):
            "the endpoint refused the request (\(status))" + (message.map { ": \($0)" } ?? "")
                + ". If it requires a token, set WSIMG_ENDPOINT_TOKEN."
        case .endpointNotConfigured(let message):
            "the endpoint cannot generate images (\(message)): its administrator must set TOGETHER_API_KEY on the server."
        case .cancelled: "interrupted"
        }
    }
}
