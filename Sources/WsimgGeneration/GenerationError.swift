import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Why one attempt at one image failed, and what the run should do about it.
package enum GenerationError: Error, Sendable, Equatable, CustomStringConvertible {
    case transport(TransportError)
    /// 408 or 5xx (but 503).
    case server(status: Int, message: String?)
    /// 429: over the account's rate.
    case rateLimited(retryAfter: Double?)
    /// 503: Together's answer to a burst at or below the rate; slows the run like a 429.
    case overloaded(retryAfter: Double?)
    /// 200 with a body that is not what the API promised.
    case badResponse(String)
    /// An answer that will be the same however often it is asked for (an image URL wsimg may not fetch).
    case unusableAnswer(String)
    case invalidImage(ValidationError)
    /// 400/422: the API refused this image's request; retrying will not help.
    case rejected(status: Int, message: String)
    /// 404 from the API: the URL or the model is wrong, for every image alike.
    case notFound(url: String, message: String?)
    /// 3xx: wsimg does not follow redirects of requests that carry a key.
    case redirected(status: Int, location: String?)
    /// 401/403: the key (or endpoint token) is wrong; no request can succeed.
    case unauthorized(status: Int, message: String?)
    /// 402: the account has no credit left.
    case outOfCredit(message: String?)
    /// An image URL from the answer could not be downloaded.
    case downloadFailed(status: Int, url: String)
    /// The batch endpoint answered, but could not make this one image.
    case imageFailed(String)
    /// The batch endpoint's own Together key was refused (401/403) or its account is empty (402).
    case serverKeyProblem(status: Int, message: String)
    /// The batch endpoint refused wsimg (401/403) or is not there (404).
    case endpointRefused(status: Int, message: String?, url: String)
    /// The batch endpoint has no Together key of its own ("API key not configured").
    case endpointNotConfigured(String)
    /// An answer could not be stored here (disk full, folder not writable): every other would fail alike.
    case localWrite(OutputError)
    case cancelled

    package enum Disposition: Sendable, Equatable {
        case retry, pace, fail, stopRun
    }

    package var disposition: Disposition {
        switch self {
        case .transport(.cancelled), .cancelled: .fail
        case .transport(.tls), .transport(.refusedRedirect): .fail
        case .invalidImage(.unsupportedFormat): .fail
        case .transport, .server, .badResponse, .invalidImage, .imageFailed, .downloadFailed: .retry
        case .rateLimited, .overloaded: .pace
        case .rejected, .unusableAnswer: .fail
        case .unauthorized, .outOfCredit, .endpointRefused, .endpointNotConfigured, .notFound, .redirected, .serverKeyProblem, .localWrite: .stopRun
        }
    }

    /// An answer whose body is not JSON.
    package static func notJSON(_ error: JSONSyntaxError) -> GenerationError { .badResponse("the body is not JSON (\(error.message))") }

    /// What stops the run when this error does: a local write failure is the output's, the rest the upstream's.
    package var stopReason: GenerationEngine.StopReason {
        if case .localWrite(let output) = self { return .output(output) }
        return .upstream(self)
    }

    /// How long a 429 or 503 asked to wait.
    package var retryAfter: Double? {
        switch self {
        case .rateLimited(let after), .overloaded(let after): after
        default: nil
        }
    }

    package var description: String {
        switch self {
        case .transport(let error): "\(error)"
        case .server(let status, let message): "server error \(status)" + Self.detail(message)
        case .rateLimited(let after): "rate limited (429)" + Self.waiting(after)
        case .overloaded(let after): "the service is busy (503)" + Self.waiting(after)
        case .badResponse(let why): "unexpected response: \(why)"
        case .unusableAnswer(let why): "unusable answer: \(why)"
        case .invalidImage(let error): "\(error)"
        case .rejected(let status, let message): "request refused (\(status)): \(message)"
        case .notFound(let url, let message):
            "the API answered 404 Not Found for \(url)" + Self.detail(message)
                + ". Check TOGETHER_BASE_URL (e.g. https://api.together.xyz/v1) and --model."
        case .redirected(let status, let location):
            "the server answered with a redirect (\(status)" + (location.map { " to \($0)" } ?? "")
                + "); wsimg does not follow redirects of requests that carry a key: use the final URL"
        case .unauthorized(let status, let message):
            "the API key was refused (\(status))" + Self.detail(message) + ". Check TOGETHER_API_KEY."
        case .outOfCredit(let message):
            "the account is out of credit (402)" + Self.detail(message) + ". Add credit at together.ai, or use --provider placeholder."
        case .downloadFailed(let status, let url): "the picture could not be downloaded from \(url) (HTTP \(status))"
        case .imageFailed(let message): "the server could not generate it: \(message)"
        case .serverKeyProblem(402, let message):
            "the server's Together account is out of credit (402: \(message)); its administrator must add credit"
        case .serverKeyProblem(let status, let message):
            "the server's Together key was refused (\(status): \(message)); its administrator must check TOGETHER_API_KEY on the server"
        case .endpointRefused(404, let message, let url):
            "the endpoint has no batch route at \(url) (404)" + Self.detail(message) + ". Check --endpoint or WSIMG_ENDPOINT."
        case .endpointRefused(let status, let message, let url):
            "the endpoint \(url) refused the request (\(status))" + Self.detail(message)
                + ". If it requires a token, set WSIMG_ENDPOINT_TOKEN."
        case .endpointNotConfigured(let message):
            "the endpoint has no Together key of its own (\(message)): its administrator must set TOGETHER_API_KEY on the server."
        case .localWrite(let error): "\(error)"
        case .cancelled: "interrupted"
        }
    }

    private static func detail(_ message: String?) -> String { message.map { ": \($0)" } ?? "" }

    private static func waiting(_ after: Double?) -> String { after.map { ", retry after \(NumberText.plain($0)) s" } ?? "" }
}
