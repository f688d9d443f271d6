import WsimgBasics

/// A JSON value that remembers where it came from, so a document can be edited in place
/// without disturbing anything it does not touch (key order, number spelling, whitespace).
package indirect enum JSONValue: Sendable, Equatable {
    case object([JSONMember])
    case array([JSONNode])
    case string(String)
    /// The number exactly as spelled in the source, e.g. `4.0`, `1e3`, `-0`.
    case number(String)
    case bool(Bool)
    case null
}

package struct JSONNode: Sendable, Equatable {
    package var value: JSONValue
    /// Byte offsets of the value's text in the source.
    package var range: Range<Int>

    package init(value: JSONValue, range: Range<Int>) {
        self.value = value
        self.range = range
    }

    package subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.last(where: { $0.key == key })?.node
    }

    package var stringValue: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    package var numberValue: Double? {
        if case .number(let text) = value { return Double(text) }
        return nil
    }

    package var arrayValue: [JSONNode]? {
        if case .array(let items) = value { return items }
        return nil
    }

    package var isObject: Bool {
        if case .object = value { return true }
        return false
    }

    package var typeName: String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

package struct JSONMember: Sendable, Equatable {
    package var key: String
    package var keyRange: Range<Int>
    package var node: JSONNode
}
