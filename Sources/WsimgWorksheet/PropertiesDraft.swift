import WsimgBasics
import WsimgJSON

/// An image element's `properties` object as the scan met it: the values wsimg reads, and where its
/// members are, so a `url` can be set without parsing the worksheet again.
package struct PropertiesDraft: Sendable, Equatable {
    package enum Value: Sendable, Equatable {
        case scalar(ScannedScalar)
        case container(isObject: Bool)

        package var typeName: String {
            switch self {
            case .scalar(let scalar): scalar.typeName
            case .container(let isObject): isObject ? "an object" : "an array"
            }
        }
    }

    /// Offsets of the braces.
    package let open: Int
    package var close = 0
    package private(set) var memberCount = 0
    /// The last member's key and value.
    package private(set) var lastKey: Range<Int>?
    package private(set) var lastValue: Range<Int>?
    package private(set) var values: [String: (value: Value, range: Range<Int>)] = [:]
    private var pendingKey: Range<Int>?

    package init(open: Int) {
        self.open = open
    }

    package mutating func memberKey(_ range: Range<Int>) {
        pendingKey = range
    }

    package mutating func member(_ name: String?, value: Value, range: Range<Int>) {
        memberCount += 1
        (lastKey, lastValue) = (pendingKey, range)
        if let name, WorksheetScan.wantedProperties.contains(name) { values[name] = (value, range) }
    }

    package subscript(name: String) -> Value? { values[name]?.value }

    package static func == (a: PropertiesDraft, b: PropertiesDraft) -> Bool {
        a.open == b.open && a.close == b.close && a.memberCount == b.memberCount && a.lastKey == b.lastKey && a.lastValue == b.lastValue
    }
}
