import WsimgBasics

/// A JSON value that remembers where it came from, so a document can be edited in place
/// without disturbing anything it does not touch (key order, number spelling, whitespace).
public indirect enum JSONValue: Sendable, Equatable {
    case object([JSONMember])
    case array([JSONNode])
    case string(String)
    /// The number exactly as spelled in the source, e.g. `4.0`, `1e3`, `-0`.
    case number(String)
    case bool(Bool)
    case null
}

public struct JSONNode: Sendable, Equatable {
    public var value: JSONValue
    /// Byte offsets of the value's text in the source.
    public var range: Range<Int>

    public init(value: JSONValue, range: Range<Int>) {
        self.value = value
        self.range = range
    }

    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.last(where: { $0.key == key })?.node
    }

    public var stringValue: String? {
        if case .string(let s) = value { return s }
        return nil
    }

    public var numberValue: Double? {
        if case .number(let text) = value { return Double(text) }
        return nil
    }

    public var arrayValue: [JSONNode]? {
        if case .array(let items) = value { return items }
        return nil
    }

    public var isObject: Bool {
        if case .object = value { return true }
        return false
    }

    public var typeName: String {
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

public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var keyRange: Range<Int>
    public var node: JSONNode
}
