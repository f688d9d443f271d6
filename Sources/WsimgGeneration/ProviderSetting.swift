import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// One setting besides the prompt, size and seed that determines a provider's pictures, named as the
/// user sets it (`--model`, `TOGETHER_BASE_URL`), so a message can say which one differs.
package struct ProviderSetting: Sendable, Equatable {
    package let name: String
    package let value: String

    package init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// The names of `current`'s settings whose value differs from what was `recorded` (a picture's
    /// settings when it was made); empty when nothing was recorded.
    package static func differing(recorded: [String: String], current: [ProviderSetting]) -> [String] {
        guard !recorded.isEmpty else { return [] }
        let changed = current.filter { recorded[$0.name] != $0.value }.map(\.name)
        let gone = recorded.keys.filter { name in !current.contains { $0.name == name } }.sorted()
        // A setting only the other provider has says no more than that the provider differs.
        return changed.contains("--provider") ? ["--provider"] : changed + gone
    }
}
