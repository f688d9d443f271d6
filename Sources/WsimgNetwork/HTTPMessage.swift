import WsimgBasics

package struct HTTPRequest: Sendable {
    package var url: String
    /// Header lines, `Name: value`.
    package var headers: [String]
    /// nil for a GET; a POST with this JSON body otherwise.
    package var body: [UInt8]?
    /// The headers hold a credential: never send it through a proxy in cleartext, never follow a redirect.
    package var carriesSecret: Bool
    /// Follow redirects (downloads only, which carry no credential); to https only unless `allowHTTPRedirects`.
    package var followRedirects = false
    package var allowHTTPRedirects = false
    package var timeout: Double
    package var connectTimeout: Double
    package var maxResponseBytes: Int
    /// Where the response body goes as it arrives; nil to collect it in `HTTPResponse.body`.
    package var sink: (any ResponseSink)?

    package init(
        url: String, headers: [String] = [], body: [UInt8]?, timeout: Double = 120,
        connectTimeout: Double = 15, maxResponseBytes: Int = 64 << 20, sink: (any ResponseSink)? = nil
    ) {
        self.url = url
        self.headers = headers
        self.body = body
        self.carriesSecret = headers.contains { $0.lowercased().hasPrefix("authorization:") }
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.sink = sink
    }
}

package struct HTTPResponse: Sendable {
    package var status: Int
    /// Header names are lowercased.
    package var headers: [(name: String, value: String)]
    /// The body, or with a sink, the part of it the sink kept.
    package var body: [UInt8]
    /// 1, 2 or 3 (HTTP/1.x, HTTP/2, HTTP/3).
    package var httpVersion = 1

    package init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last(where: { $0.name == wanted })?.value
    }
}

package enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case couldNotConnect(String)
    case timedOut(seconds: Double)
    case connectionLost(String)
    case responseTooLarge(limit: Int)
    case tls(String)
    /// A download was redirected somewhere wsimg will not go (plain http, too many hops).
    case refusedRedirect(String)
    case cancelled
    case other(String)

    /// The host could not be reached at all (refused, not resolved, TLS failed): not a passing fault of one request.
    package var isUnreachable: Bool {
        switch self {
        case .couldNotConnect, .tls: true
        default: false
        }
    }

    package var description: String {
        switch self {
        case .couldNotConnect(let why): "could not connect (\(why))"
        case .timedOut(let seconds): "no answer within \(NumberText.plain(seconds)) s"
        case .connectionLost(let why): "the connection broke (\(why))"
        case .responseTooLarge(let limit): "the response was larger than \(limit >> 20) MiB"
        case .tls(let why): "secure connection failed (\(why)); behind a school proxy that inspects TLS, set CURL_CA_BUNDLE to its CA certificate"
        case .refusedRedirect(let why): "the download was redirected where wsimg does not follow (\(why))"
        case .cancelled: "cancelled"
        case .other(let why): why
        }
    }
}

/// What sends HTTP requests; the curl multi client in production, anything in tests.
package protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}
