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
    case cancelled

    public enum Disposition: Sendable, Equatable {
        case retry, pace, fail, stopRun
    }

    public var disposition: Disposition {
        switch self {
        case .transport(.cancelled), .cancelled: .fail
        case .transport(.tls): .fail
        case .transport, .server, .badResponse, .invalidImage: .retry
        case .rateLimited: .pace
        case .rejected: .fail
        case .unauthorized, .outOfCredit: .stopRun
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
        case .cancelled: "interrupted"
        }
    }
}
