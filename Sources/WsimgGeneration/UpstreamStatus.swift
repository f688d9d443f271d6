import WsimgBasics
import WsimgJSON
import WsimgNetwork

/// Maps an upstream's HTTP status to what wsimg does about it: the one table for Together's API, the
/// web app's batch route and the download of a picture's URL.
package enum UpstreamStatus {
    /// Who answered: a few statuses mean something else from each.
    package enum Service: Sendable {
        case together
        /// The web app's route: a 401/403/404 is the endpoint refusing wsimg, not the Together key.
        case batchRoute
        /// A picture's `url`: only whether to wait, and that it failed.
        case pictureDownload
    }

    package static func check(_ response: HTTPResponse, from service: Service, url: String, redactor: Redactor) throws(GenerationError) {
        let status = response.status
        guard !(200..<300).contains(status) else { return }
        switch status {
        case 429: throw .rateLimited(retryAfter: RetryAfter.seconds(from: response))
        case 503: throw .overloaded(retryAfter: RetryAfter.seconds(from: response))
        default: break
        }
        if service == .pictureDownload { throw .downloadFailed(status: status, url: url) }
        let message = errorMessage(in: response.body, redactor: redactor)
        switch (service, status) {
        case (_, 300..<400): throw .redirected(status: status, location: response.header("location").map { safeLocation($0) })
        case (_, 400), (_, 413), (_, 422): throw .rejected(status: status, message: message ?? "no reason given")
        case (.batchRoute, 401), (.batchRoute, 403), (.batchRoute, 404): throw .endpointRefused(status: status, message: message, url: url)
        case (.batchRoute, 500) where message?.contains("API key not configured") == true: throw .endpointNotConfigured(message!)
        case (.batchRoute, _): throw .server(status: status, message: message)
        case (_, 401), (_, 403): throw .unauthorized(status: status, message: message)
        case (_, 402): throw .outOfCredit(message: message)
        case (_, 404): throw .notFound(url: url, message: message)
        default: throw .server(status: status, message: message)
        }
    }

    /// Together answers `{"error":{"message":…}}`; other servers `{"error":"…"}` or `{"message":…}`.
    /// The text is the server's: redacted and made safe to print. Only those fields are kept, so a
    /// large error body costs nothing (and the transport keeps only its first few KiB).
    package static func errorMessage(in body: [UInt8], redactor: Redactor) -> String? {
        let wanted: [[JSONFieldCapture.Pattern]] = [[.key("error"), .key("message")], [.key("error")], [.key("message")]]
        guard let answer = try? JSONFieldCapture.scan(body, wanted) else { return nil }
        let text = answer[.key("error"), .key("message")]?.value.text ?? answer[.key("error")]?.value.text ?? answer[.key("message")]?.value.text
        return text.map { TerminalText.safe(redactor.redact($0)) }
    }

    /// A redirect's target, without the query (signed URLs carry tokens there).
    package static func safeLocation(_ location: String) -> String {
        (try? ServiceURL(location).display) ?? ServiceEndpoints.safeDisplay(location)
    }
}
