/// A command line or an input that cannot be used as given: fix it and run again (exit 2).
package struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
