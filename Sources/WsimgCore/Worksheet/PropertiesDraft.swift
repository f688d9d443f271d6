import WsimgBasics

/// An image element's `properties` object as the scan met it: the values wsimg reads, and where its
/// members are, so a `url` can be set without parsing the worksheet again.
struct PropertiesDraft: Sendable, Equatable {
    enum Value: Sendable, Equatable {
        case scalar(ScannedScalar)
        case container(isObject: Bool)

        var typeName: String {
            switch self {
            case .scalar(let scalar): scalar.typeName
            case .container(let isObject): isObject ? "an object" : "an array"
            }
        }
    }

    /// Offsets of the braces.
    let open: Int
    var close = 0
    private(set) var memberCount = 0
    /// The last member's key and value.
    private(set) var lastKey: Range<Int>?
    private(set) var lastValue: Range<Int>?
    private(set) var values: [String: (value: Value, range: Range<Int>)] = [:]
    private var pendingKey: Range<Int>?

    init(open: Int) {
        self.open = open
    }

    mutating func memberKey(_ range: Range<Int>) {
        pendingKey = range
    }

    mutating func member(_ name: String?, value: Value, range: Range<Int>) {
        memberCount += 1
        (lastKey, lastValue) = (pendingKey, range)
        if let name, WorksheetScan.wantedProperties.contains(name) { values[name] = (value, range) }
    }

    subscript(name: String) -> Value? { values[name]?.value }

    static func == (a: PropertiesDraft, b: PropertiesDraft) -> Bool {
        a.open == b.open && a.close == b.close && a.memberCount == b.memberCount && a.lastKey == b.lastKey && a.lastValue == b.lastValue
    }
}
