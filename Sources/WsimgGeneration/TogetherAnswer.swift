import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Where Together's answer keeps the picture: `data[0].b64_json` or `data[0].url`.
///
/// The answer is read with the streaming scanner, keeping only those fields: whatever else a body
/// carries (an array of zeros beside the image, say) is scanned and forgotten.
package enum TogetherAnswer: Sendable, Equatable {
    case base64(String)
    case url(String)

    package static let fields: [[JSONFieldCapture.Pattern]] = [
        [.key("data")], [.key("data"), .index(0)], [.key("data"), .index(0), .key("b64_json")],
        [.key("data"), .index(0), .key("url")], [.key("data"), .index(0), .key("type")],
    ]

    package static func parse(_ body: [UInt8]) throws(GenerationError) -> TogetherAnswer {
        try read(JSONFieldCapture.answer(body, fields), in: body)
    }

    /// What the captured fields say; `body` holds the document (or the part needed for a long image string).
    package static func read(_ answer: JSONFieldCapture, in body: [UInt8]) throws(GenerationError) -> TogetherAnswer {
        guard answer.root?.value.typeName == "an object", let data = answer[.key("data")] else { throw .badResponse("no \"data\" in the answer") }
        guard case .container(isObject: false, let count) = data.value else { throw .badResponse("\"data\" is not a list") }
        guard count > 0 else { throw .badResponse("the answer's \"data\" list is empty: no picture was returned") }
        let first = answer[.key("data"), .index(0)]
        let isObject = first?.value.typeName == "an object"
        if isObject, let image = JSONFieldCapture.text(of: answer[.key("data"), .index(0), .key("b64_json")], in: body) { return .base64(image) }
        if isObject, let url = JSONFieldCapture.text(of: answer[.key("data"), .index(0), .key("url")], in: body) { return .url(url) }
        let type = isObject ? answer[.key("data"), .index(0), .key("type")]?.value.text.map { TerminalText.safe($0, limit: 40) } : nil
        throw .unusableAnswer(type.map { "the picture came as \"\($0)\", which wsimg cannot read" } ?? "no picture (b64_json or url) in the answer")
    }
}

extension JSONFieldCapture {
    /// The fields of an answer body, or why it has none.
    package static func answer(_ body: [UInt8], _ patterns: [[Pattern]]) throws(GenerationError) -> JSONFieldCapture {
        guard !body.isEmpty else { throw .badResponse("the server sent an empty answer") }
        do {
            return try scan(body, patterns)
        } catch {
            throw .notJSON(error)
        }
    }
}
