import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// A `POST /v1/images/generations` body checked against Together's OpenAPI spec: `prompt` and `model`
/// required, integers where the spec says integer, `response_format` in `base64 | url`, `output_format`
/// in `jpeg | png`. A strict server refuses anything else with 400.
struct SpecRequest {
    struct Refusal: Error {
        let message: String
    }

    let root: JSONNode
    let prompt: String
    let width: Int
    let height: Int
    let seed: Int?
    let responseFormat: String?
    let outputFormat: String?

    static func parse(_ body: [UInt8]) -> Result<SpecRequest, Refusal> {
        guard let root = try? JSONParser.parse(body), case .object = root.value else { return .failure(Refusal(message: "invalid JSON body")) }
        guard let prompt = root["prompt"]?.stringValue, !prompt.isEmpty else { return .failure(Refusal(message: "prompt is required")) }
        guard root["model"]?.stringValue != nil else { return .failure(Refusal(message: "model is required")) }
        for name in ["width", "height", "steps", "n", "seed"] {
            if let node = root[name], node.numberValue.map({ $0 != $0.rounded() }) ?? true {
                return .failure(Refusal(message: "\(name) must be an integer"))
            }
        }
        let responseFormat = root["response_format"]?.stringValue
        if root["response_format"] != nil, !["base64", "url"].contains(responseFormat ?? "") {
            return .failure(Refusal(message: "response_format must be one of: base64, url"))
        }
        let outputFormat = root["output_format"]?.stringValue
        if root["output_format"] != nil, !["jpeg", "png"].contains(outputFormat ?? "") {
            return .failure(Refusal(message: "output_format must be one of: jpeg, png"))
        }
        return .success(
            SpecRequest(
                root: root, prompt: prompt, width: root["width"]?.numberValue.map { Int($0) } ?? 1024,
                height: root["height"]?.numberValue.map { Int($0) } ?? 1024,
                seed: root["seed"]?.numberValue.map { Int($0) }, responseFormat: responseFormat,
                outputFormat: outputFormat))
    }
}
