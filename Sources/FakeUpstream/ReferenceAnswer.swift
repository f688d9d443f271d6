import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// The answer readers as they were before streaming: the whole body parsed into a tree by
/// `JSONParser`, then walked. The fuzzer and the tests hold the streaming readers to them.
package enum ReferenceAnswer {
    /// An outcome as both readers are held to it: a syntax error is one whatever words each parser
    /// finds for it (the streaming scanner meets the end of a cut document where the tree expects a comma).
    package static func comparable(_ outcome: String) -> String {
        guard let start = outcome.range(of: "the body is not JSON (") else { return outcome }
        return String(outcome[..<start.upperBound]) + "…)"
    }

    /// What Together's answer says, read from the tree: the picture's place, or the error's words.
    package static func together(_ body: [UInt8]) -> Result<TogetherAnswer, GenerationError> {
        let root: JSONNode
        switch tree(body) {
        case .success(let parsed): root = parsed
        case .failure(let error): return .failure(error)
        }
        guard let data = root["data"] else { return .failure(.badResponse("no \"data\" in the answer")) }
        guard let list = data.arrayValue else { return .failure(.badResponse("\"data\" is not a list")) }
        guard let first = list.first else { return .failure(.badResponse("the answer's \"data\" list is empty: no picture was returned")) }
        if let encoded = first["b64_json"]?.stringValue { return .success(.base64(encoded)) }
        if let url = first["url"]?.stringValue { return .success(.url(url)) }
        let type = first["type"]?.stringValue.map { TerminalText.safe($0, limit: 40) }
        return .failure(.unusableAnswer(type.map { "the picture came as \"\($0)\", which wsimg cannot read" } ?? "no picture (b64_json or url) in the answer"))
    }

    /// The batch route's answer for `ids`, one each, in order.
    package static func batch(_ body: [UInt8], ids: [String]) -> Result<[Result<ImagePayload, GenerationError>], GenerationError> {
        let root: JSONNode
        switch tree(body) {
        case .success(let parsed): root = parsed
        case .failure(let error): return .failure(error)
        }
        if root["success"]?.value == .bool(false) {
            return .failure(.server(status: 200, message: root["error"]?.stringValue.map { TerminalText.safe($0) } ?? "the server reported a failure"))
        }
        guard let results = root["results"]?.arrayValue else { return .failure(.badResponse("no \"results\" in the answer")) }
        let withIDs = results.contains { $0["id"]?.stringValue != nil }
        var byID: [String: [JSONNode]] = [:]
        for result in results {
            if let id = result["id"]?.stringValue { byID[id, default: []].append(result) }
        }
        return .success(
            ids.enumerated().map { index, id in
                // An id answered twice answers nothing (review 3, item 2).
                if withIDs, (byID[id]?.count ?? 0) > 1 { return .failure(.badResponse("the server sent several results for this image")) }
                let result = withIDs ? byID[id]?.first : (index < results.count ? results[index] : nil)
                guard let result else { return .failure(.badResponse("the server sent no result for this image")) }
                guard result["success"]?.value == .bool(true) else {
                    return .failure(RemoteProvider.imageError(result["error"]?.stringValue ?? "no reason given", redactor: Redactor(secrets: [])))
                }
                guard let image = result["image"]?.stringValue else { return .failure(.badResponse("a successful result without an image")) }
                return RemoteProvider.image(image)
            })
    }

    /// The whole body as a tree, or the error an answer that is not JSON gets.
    static func tree(_ body: [UInt8]) -> Result<JSONNode, GenerationError> {
        guard !body.isEmpty else { return .failure(.badResponse("the server sent an empty answer")) }
        do {
            return .success(try JSONParser.parse(body, maxDepth: 32))
        } catch {
            return .failure(.badResponse("the body is not JSON (\(error.message))"))
        }
    }
}
