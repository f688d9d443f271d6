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
package struct OptionSpec: Sendable {
    /// What a value is, for shell completion.
    package enum ValueKind: Sendable, Equatable {
        case none, file, folder, other
        case choices([String])
    }

    package let names: [String]
    /// The value's placeholder in help (`FILE`, `N`…); nil for flags.
    package let value: String?
    package let help: String
    package let kind: ValueKind

    package init(_ names: [String], value: String? = nil, help: String, kind: ValueKind? = nil) {
        self.names = names
        self.value = value
        self.help = help
        self.kind = kind ?? (value == nil ? .none : .other)
    }

    package var longName: String { names.last! }
}

package struct ParsedArguments: Sendable, Equatable {
    package var values: [String: String] = [:]
    package var flags: Set<String> = []
    package var positionals: [String] = []

    package func value(_ longName: String) -> String? { values[longName] }
    package func has(_ longName: String) -> Bool { flags.contains(longName) }
}

package enum ArgumentParser {
    package static func parse(_ arguments: [String], options: [OptionSpec]) throws(UsageError) -> ParsedArguments {
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
