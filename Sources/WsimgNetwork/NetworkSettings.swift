import Foundation
import WsimgBasics

/// What every transfer of a run shares, read once from the environment: who we say we are, which
/// certificate authorities to trust, and which hosts never go through a proxy.
///
/// Proxies themselves are curl's business: it reads `http_proxy`, `https_proxy`, `ALL_PROXY` (and
/// their spellings) as usual. wsimg only adds loopback to `NO_PROXY`, and sends a request that carries
/// a key over plain http directly, never through a proxy (see `HTTPRequest.carriesSecret`).
package struct NetworkSettings: Sendable, Equatable {
    package var userAgent: String
    /// `CURL_CA_BUNDLE`, else `SSL_CERT_FILE`: a PEM file of trusted CAs (a school's TLS-inspecting CA).
    package var caBundle: String?
    /// `SSL_CERT_DIR`: a folder of hashed CA certificates.
    package var caFolder: String?
    /// The user's `NO_PROXY` plus every loopback name and address.
    package var noProxy: String

    package static let loopbackHosts = "localhost,127.0.0.0/8,::1"

    package init(
        userAgent: String = "wsimg/\(Version.current)", caBundle: String? = nil, caFolder: String? = nil,
        noProxy: String = NetworkSettings.loopbackHosts
    ) {
        self.userAgent = userAgent
        self.caBundle = caBundle
        self.caFolder = caFolder
        self.noProxy = noProxy
    }

    package init(environment: [String: String]) throws(ConfigurationError) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let bundle = value("CURL_CA_BUNDLE").map { ("CURL_CA_BUNDLE", $0) } ?? value("SSL_CERT_FILE").map { ("SSL_CERT_FILE", $0) }
        if let (name, path) = bundle, !Self.isReadableFile(path) { throw .missingCertificates(variable: name, path: path) }
        if let folder = value("SSL_CERT_DIR"), !Paths.isFolder(folder) { throw .missingCertificates(variable: "SSL_CERT_DIR", path: folder) }
        let userNoProxy = value("NO_PROXY") ?? value("no_proxy")
        self.init(
            caBundle: bundle?.1, caFolder: value("SSL_CERT_DIR"),
            noProxy: [userNoProxy, Self.loopbackHosts].compactMap { $0 }.joined(separator: ","))
    }

    package static func isReadableFile(_ path: String) -> Bool {
        FileSystem.fileExists(atPath: path) && !Paths.isFolder(path) && access(path, R_OK) == 0
    }
}
