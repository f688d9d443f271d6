import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// What a worksheet says of itself, for a page about it: `metadata.topic` (else `title`) and
/// `metadata.language` (the web app's saved form), read as the file streams past.
package struct WorksheetAbout {
    package let title: String?
    package let language: String?

    package static let fields: [[JSONFieldCapture.Pattern]] = [
        [.key("title")], [.key("metadata"), .key("topic")], [.key("metadata"), .key("language")],
        [.key("data"), .key("worksheet"), .key("title")], [.key("data"), .key("worksheet"), .key("metadata"), .key("topic")],
        [.key("data"), .key("worksheet"), .key("metadata"), .key("language")],
    ]

    package init(_ path: String) {
        var scanner = JSONScanner()
        var capture = JSONFieldCapture(Self.fields)
        var broken = false
        let failure = WorksheetSource(path: path).forEachChunk { (chunk: UnsafeRawBufferPointer) in
            guard !broken else { return }
            do throws(JSONSyntaxError) {
                try scanner.feed(chunk, into: &capture)
            } catch {
                broken = true
            }
        }
        let fields = failure == nil && !broken ? capture.fields : [:]
        func text(_ steps: [JSONFieldCapture.Step]) -> String? {
            guard let value = fields[steps]?.value.text?.trimmingWhitespace(), !value.isEmpty else { return nil }
            return String(value.prefix(200))
        }
        let envelope: [JSONFieldCapture.Step] = [.key("data"), .key("worksheet")]
        title = text([.key("metadata"), .key("topic")]) ?? text([.key("title")]) ?? text(envelope + [.key("metadata"), .key("topic")]) ?? text(envelope + [.key("title")])
        let language = text([.key("metadata"), .key("language")]) ?? text(envelope + [.key("metadata"), .key("language")])
        // A language tag, nothing else, goes into the page's `lang`.
        self.language = language.flatMap { $0.count <= 35 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } ? $0 : nil }
    }
}
