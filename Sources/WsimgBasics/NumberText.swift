/// Numbers as messages show them.
package enum NumberText {
    /// `3` rather than `3.0`; huge or odd values as Swift spells them.
    package static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
