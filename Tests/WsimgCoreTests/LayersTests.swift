import Foundation
import Testing

/// The layers DESIGN.md draws, kept true: each target of `Package.swift` depends only on targets
/// below it (basics → JSON → worksheet → images → network → generation → library → run → CLI), so a
/// rule cannot quietly reach up a layer.
@Suite struct LayersTests {
    static let order = [
        "WsimgBasics", "WsimgJSON", "WsimgWorksheet", "WsimgImages", "WsimgNetwork", "WsimgGeneration", "WsimgLibrary", "WsimgRun",
        "WsimgCLI",
    ]

    static let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Package.swift").path

    /// Each `.target(name: …, dependencies: […])` of the manifest: its name and the targets it names.
    static func targets(in text: String) -> [(name: String, dependencies: [String])] {
        let pattern = try! NSRegularExpression(pattern: #"\.(?:target|executableTarget|testTarget)\(\s*name: "([^"]+)"(?:,\s*dependencies: \[([^\]]*)\])?"#)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).map { match in
            let name = String(text[Range(match.range(at: 1), in: text)!])
            let list = Range(match.range(at: 2), in: text).map { String(text[$0]) } ?? ""
            let dependencies = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            return (name, dependencies.filter { !$0.isEmpty })
        }
    }

    @Test func everyLayerDependsOnlyOnLayersBelowIt() throws {
        let targets = Self.targets(in: try String(contentsOfFile: Self.manifest, encoding: .utf8))
        let layers = targets.filter { Self.order.contains($0.name) }
        #expect(Set(layers.map(\.name)) == Set(Self.order), "a layer is missing from Package.swift or from this list")
        for layer in layers {
            let level = Self.order.firstIndex(of: layer.name)!
            for dependency in layer.dependencies where Self.order.contains(dependency) {
                #expect(Self.order.firstIndex(of: dependency)! < level, "\(layer.name) depends on \(dependency), which is not below it")
            }
        }
    }

    /// The check itself can fail: a manifest where the library reaches up into the run layer.
    @Test func anUpwardDependencyIsFound() {
        let upward = #".target(name: "WsimgLibrary", dependencies: ["WsimgRun", "WsimgBasics"])"#
        let parsed = Self.targets(in: upward)
        #expect(parsed.count == 1 && parsed[0].dependencies == ["WsimgRun", "WsimgBasics"])
        let level = Self.order.firstIndex(of: "WsimgLibrary")!
        #expect(parsed[0].dependencies.contains { Self.order.firstIndex(of: $0)! > level })
    }
}
