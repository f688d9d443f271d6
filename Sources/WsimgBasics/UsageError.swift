/// A command line or an input that cannot be used as given: fix it and run again (exit 2).
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
