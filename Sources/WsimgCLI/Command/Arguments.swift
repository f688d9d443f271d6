import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// Hand-rolled argument parsing: options before or after positionals, `--name=value`, `--` to end
/// options, and "did you mean" for unknown names.
public struct OptionSpec: Sendable {
    /// What a value is, for shell completion.
    public enum ValueKind: Sendable, Equatable {
        case none, file, folder, other
        case choices([String])
    }

    public let names: [String]
    /// The value's placeholder in help (`FILE`, `N`…); nil for flags.
    public let value: String?
    public let help: String
    public let kind: ValueKind

    public init(_ names: [String], value: String? = nil, help: String, kind: ValueKind? = nil) {
        self.names = names
        self.value = value
        self.help = help
        self.kind = kind ?? (value == nil ? .none : .other)
    }

    public var longName: String { names.last! }
}

public struct ParsedArguments: Sendable, Equatable {
    public var values: [String: String] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []

    public func value(_ longName: String) -> String? { values[longName] }
    public func has(_ longName: String) -> Bool { flags.contains(longName) }
}

public enum ArgumentParser {
    public static func parse(_ arguments: [String], options: [OptionSpec]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                parsed.positionals += arguments[index...]
                break
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                parsed.positionals.append(argument)
                continue
            }
            var name = argument
            var inlineValue: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let spec = options.first(where: { $0.names.contains(name) }) else {
                throw unknownOption(name, options: options)
            }
            if spec.value == nil {
                if inlineValue != nil { throw UsageError("\(name) takes no value") }
                parsed.flags.insert(spec.longName)
                continue
            }
            if let inlineValue {
                parsed.values[spec.longName] = inlineValue
            } else if index < arguments.count {
                parsed.values[spec.longName] = arguments[index]
                index += 1
            } else {
                throw UsageError("\(name) needs a value (\(spec.value!))")
            }
        }
        return parsed
    }

    static func unknownOption(_ name: String, options: [OptionSpec]) -> UsageError {
        let candidates = options.flatMap(\.names).filter { $0.hasPrefix("--") }
        if let suggestion = NearestName.closest(to: name, in: candidates) {
            return UsageError("Unknown option \(name). Did you mean \(suggestion)?")
        }
        return UsageError("Unknown option \(name). Run 'wsimg help' for the list of options.")
    }
}
