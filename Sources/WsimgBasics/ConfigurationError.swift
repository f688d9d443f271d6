package enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingAPIKey
    case unreadableKeyFile(path: String, reason: String)
    case badURL(setting: String, shown: String, reason: String)
    case insecureHTTP(String)
    case missingEndpoint
    case missingCertificates(variable: String, path: String)
    case badCredential(source: String, reason: String)
    /// An environment variable holding a value wsimg cannot use.
    case badSetting(variable: String, shown: String, expected: String)

    package var description: String {
        switch self {
        case .missingAPIKey:
            "TOGETHER_API_KEY is not set. Set it to your Together AI key (export TOGETHER_API_KEY=…), point TOGETHER_API_KEY_FILE at a file that holds it, or use --provider placeholder to preview without a key."
        case .unreadableKeyFile(let path, let reason):
            "cannot read the API key from TOGETHER_API_KEY_FILE (\(TerminalText.safe(path))): \(reason)"
        case .badURL(let setting, let shown, let reason):
            "the URL in \(setting) (\(shown)) cannot be used: \(reason)"
        case .badCredential(let source, let reason):
            "the key in \(source) cannot be used: \(reason). Nothing was sent."
        case .missingCertificates(let variable, let path):
            "\(variable) names \(TerminalText.safe(path)), which is not a readable file or folder of CA certificates"
        case .insecureHTTP(let url):
            "refusing plain http to \(url): a key or token (and the prompts) would cross the network unencrypted; use https, or pass --allow-insecure-http if you really mean it"
        case .badSetting(let variable, let shown, let expected):
            "\(variable)=\(TerminalText.safe(shown, limit: 40)) cannot be used: \(expected)"
        case .missingEndpoint:
            "--provider remote needs the batch endpoint's URL: pass --endpoint URL or set WSIMG_ENDPOINT"
        }
    }
}
