public struct HTTPRequest: Sendable {
    public var url: String
    /// Header lines, `Name: value`.
    public var headers: [String]
    public var body: [UInt8]
    public var timeout: Double
    public var connectTimeout: Double
    public var maxResponseBytes: Int
    /// Where the response body goes as it arrives; nil to collect it in `HTTPResponse.body`.
    public var sink: (any ResponseSink)?

    public init(url: String, headers: [String] = [], body: [UInt8], timeout: Double = 120,
                connectTimeout: Double = 15, maxResponseBytes: Int = 64 << 20, sink: (any ResponseSink)? = nil) {
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.sink = sink
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names are lowercased.
    public var headers: [(name: String, value: String)]
    /// The body, or with a sink, the part of it the sink kept.
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last(where: { $0.name == wanted })?.value
    }
}

public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case couldNotConnect(String)
    case timedOut(seconds: Double)
    case connectionLost(String)
    case responseTooLarge(limit: Int)
    case tls(String)
    case cancelled
    case other(String)

    public var description: String {
        switch self {
        case .couldNotConnect(let why): "could not connect (\(why))"
        case .timedOut(let seconds): "no answer within \(Self.format(seconds)) s"
        case .connectionLost(let why): "the connection broke (\(why))"
        case .responseTooLarge(let limit): "the response was larger than \(limit >> 20) MiB"
        case .tls(let why): "secure connection failed (\(why))"
        case .cancelled: "cancelled"
        case .other(let why): why
        }
    }

    /// `3` rather than `3.0`; huge or odd values as Swift spells them.
    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int(seconds)) : String(seconds)
    }
}

/// What sends HTTP requests; the curl multi client in production, anything in tests.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
}
