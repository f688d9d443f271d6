import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// The key and the endpoint token, read and checked before anything is sent: a value that would
/// break the Authorization header (a second line, inner spaces, a `NAME=` prefix copied from a .env
/// file) is refused with exit 2 and a message that does not repeat it.
package enum Credentials {
    package static func check(_ raw: String, source: String) throws(ConfigurationError) -> String {
        let value = String(raw.trimmingWhitespace())
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }) {
            throw .badCredential(source: source, reason: "it contains a line break or other control characters")
        }
        if value.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            throw .badCredential(source: source, reason: "it contains spaces")
        }
        if let equals = value.firstIndex(of: "="), value[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
            value.first.map({ $0.isLetter || $0 == "_" }) == true
        {
            throw .badCredential(source: source, reason: "it starts with \(TerminalText.safe(value[..<equals], limit: 40))=: give the key alone, not a NAME=value line")
        }
        return value
    }

    /// The first line of the file at `path`, checked. `warn` hears about a file others can read.
    package static func fromFile(_ path: String, source: String, warn: (String) -> Void) throws(ConfigurationError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try RegularFile.read(path, limit: 1 << 16)
        } catch {
            throw .unreadableKeyFile(path: path, reason: error.description)
        }
        let firstLine = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let key = try check(String(decoding: firstLine, as: UTF8.self), source: source)
        guard !key.isEmpty else { throw .unreadableKeyFile(path: path, reason: "the file is empty") }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            warn("\(source) (\(path)) can be read by other users; run: chmod 600 \(path)")
        }
        return key
    }
}
