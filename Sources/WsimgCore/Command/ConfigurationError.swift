public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingAPIKey
    case unreadableKeyFile(path: String, reason: String)
    case badBaseURL(String, reason: String)
    case insecureHTTP(String)
    case missingEndpoint

    public var description: String {
        switch self {
        case .missingAPIKey:
            "TOGETHER_API_KEY is not set. Set it to your Together AI key (export TOGETHER_API_KEY=…), point TOGETHER_API_KEY_FILE at a file that holds it, or use --provider placeholder to preview without a key."
        case .unreadableKeyFile(let path, let reason):
            "cannot read the API key from TOGETHER_API_KEY_FILE (\(path)): \(reason)"
        case .badBaseURL(let url, let reason):
            "the base URL '\(url)' cannot be used: \(reason)"
        case .insecureHTTP(let url):
            "refusing to send the API key over plain http to \(url): use https, or pass --allow-insecure-http if you really mean it"
        case .missingEndpoint:
            "--provider remote needs the batch endpoint's URL: pass --endpoint URL or set WSIMG_ENDPOINT"
        }
    }
}

/// Checks an endpoint before any key is sent to it: https anywhere, plain http only on this machine.
public enum EndpointCheck {
    public static func check(_ url: String, allowInsecureHTTP: Bool) throws(ConfigurationError) {
        let lower = url.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else {
            throw .badBaseURL(url, reason: "it must start with https://")
        }
        let rest = lower.dropFirst(scheme.count + 3)
        let authority = rest.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        let hostAndPort = authority.split(separator: "@").last.map(String.init) ?? ""
        let host: String
        if hostAndPort.hasPrefix("[") {
            host = String(hostAndPort.dropFirst().prefix(while: { $0 != "]" }))
        } else {
            host = String(hostAndPort.prefix(while: { $0 != ":" }))
        }
        guard !host.isEmpty else { throw .badBaseURL(url, reason: "it names no host") }
        if scheme == "http", !allowInsecureHTTP, !isLoopback(host) { throw .insecureHTTP(url) }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || (host.hasPrefix("127.") && host.split(separator: ".").count == 4)
    }
}
