import WsimgBasics

/// An http(s) URL split just enough to decide where keys may go: the scheme, the host, and whether it
/// carries parts that may be secret (user:password, a query, a fragment). `display` never shows those.
package struct ServiceURL: Sendable, Equatable {
    package enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case notHTTP
        case noHost
        case controlCharacters
        case credentials
        case query
        case fragment
        case insecure

        package var description: String {
            switch self {
            case .notHTTP: "it must start with https://"
            case .noHost: "it names no host"
            case .controlCharacters: "it contains spaces or control characters"
            case .credentials: "it contains a user name or password; wsimg sends keys only in the Authorization header"
            case .query: "it contains a query (?…); give the base URL only"
            case .fragment: "it contains a fragment (#…)"
            case .insecure: "it is plain http to another machine: use https, or pass --allow-insecure-http if you really mean it"
            }
        }
    }

    package let scheme: String
    /// Lowercased; an IPv6 address without its brackets.
    package let host: String
    /// `host[:port]` as written, without any user part.
    package let authority: String
    /// "" or a path starting with "/", without query or fragment.
    package let path: String
    /// `?…` as written, or "".
    package let query: String
    package let hasCredentials: Bool
    package let hasFragment: Bool

    package init(_ text: String) throws(Problem) {
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else { throw .controlCharacters }
        let lower = text.lowercased()
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { throw .notHTTP }
        var rest = Substring(text.dropFirst(scheme.count + 3))
        if let hash = rest.firstIndex(of: "#") {
            hasFragment = true
            rest = rest[..<hash]
        } else {
            hasFragment = false
        }
        if let question = rest.firstIndex(of: "?") {
            query = String(rest[question...])
            rest = rest[..<question]
        } else {
            query = ""
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let fullAuthority = rest[..<slash]
        path = String(rest[slash...])
        hasCredentials = fullAuthority.contains("@")
        authority = String(fullAuthority.split(separator: "@", omittingEmptySubsequences: false).last ?? "")
        let hostPart = authority.lowercased()
        if hostPart.hasPrefix("[") {
            host = String(hostPart.dropFirst().prefix(while: { $0 != "]" }))
        } else {
            host = String(hostPart.prefix(while: { $0 != ":" }))
        }
        guard !host.isEmpty else { throw .noHost }
    }

    package var isSecure: Bool { scheme == "https" }

    package var isLoopback: Bool {
        host == "localhost" || host == "::1"
            || (host.hasPrefix("127.") && host.split(separator: ".").count == 4
                && host.split(separator: ".").allSatisfy { UInt8($0) != nil })
    }

    /// The URL without user part, query or fragment: safe to print.
    package var display: String { "\(scheme)://\(authority)\(path)" + (query.isEmpty ? "" : "?…") }

    /// The URL to send to: without user part or fragment, with the query.
    package var string: String { "\(scheme)://\(authority)\(path)\(query)" }

    /// Whether a key may be sent here: https anywhere, plain http only to this machine unless allowed.
    package func checkTransport(allowInsecureHTTP: Bool) throws(Problem) {
        if !isSecure, !isLoopback, !allowInsecureHTTP { throw .insecure }
    }

    package func replacing(path newPath: String) -> ServiceURL {
        ServiceURL(
            scheme: scheme, host: host, authority: authority, path: newPath, query: query,
            hasCredentials: hasCredentials, hasFragment: hasFragment)
    }

    private init(scheme: String, host: String, authority: String, path: String, query: String, hasCredentials: Bool, hasFragment: Bool) {
        self.scheme = scheme
        self.host = host
        self.authority = authority
        self.path = path
        self.query = query
        self.hasCredentials = hasCredentials
        self.hasFragment = hasFragment
    }
}

/// Where the two providers send their requests, from what the user configured.
package enum ServiceEndpoints {
    /// The web app's batch route, below its base URL.
    package static let batchRoutePath = "/api/worksheet/generate-images"

    /// `TOGETHER_BASE_URL` as Together's SDKs take it: with or without the trailing `/v1`.
    package static func together(base text: String, allowInsecureHTTP: Bool) throws(ConfigurationError) -> ServiceURL {
        let base = try configured(text, variable: "TOGETHER_BASE_URL", allowInsecureHTTP: allowInsecureHTTP)
        var path = base.path
        while path.hasSuffix("/") { path.removeLast() }
        if !path.hasSuffix("/v1") { path += "/v1" }
        return base.replacing(path: path + "/images/generations")
    }

    /// `--endpoint`: the route's full URL, or the web app's base URL (no path or `/`).
    package static func batchRoute(_ text: String, allowInsecureHTTP: Bool) throws(ConfigurationError) -> ServiceURL {
        let url = try configured(text, variable: "--endpoint", allowInsecureHTTP: allowInsecureHTTP)
        return url.path.isEmpty || url.path == "/" ? url.replacing(path: batchRoutePath) : url
    }

    package static func configured(_ text: String, variable: String, allowInsecureHTTP: Bool) throws(ConfigurationError) -> ServiceURL {
        let url: ServiceURL
        do {
            url = try ServiceURL(text)
        } catch {
            throw .badURL(setting: variable, shown: Self.safeDisplay(text), reason: error.description)
        }
        let problem: ServiceURL.Problem? = url.hasCredentials ? .credentials : !url.query.isEmpty ? .query : url.hasFragment ? .fragment : nil
        if let problem { throw .badURL(setting: variable, shown: url.display.replacingOccurrences(of: "?…", with: ""), reason: problem.description) }
        do {
            try url.checkTransport(allowInsecureHTTP: allowInsecureHTTP)
        } catch {
            throw .insecureHTTP(url.display)
        }
        return url
    }

    /// A URL that could not be parsed, shown without anything that may be secret.
    package static func safeDisplay(_ text: String) -> String {
        let cut = text.prefix(while: { $0 != "?" && $0 != "#" })
        let withoutUser = cut.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        let prefix = cut.range(of: "://").map { String(cut[..<$0.upperBound]) } ?? ""
        let shown = cut.contains("@") ? prefix + withoutUser : String(cut)
        return TerminalText.safe(String(shown.prefix(200)))
    }
}
