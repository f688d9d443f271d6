/// How a command names an image element: by its id, its position (`1-2`, as the web app's generator
/// counts), or its number among the image elements (`#3`, as `wsimg prompts` numbers them from 1).
package enum ElementHandle {
    package static func find(_ name: String, in placeholders: [Placeholder]) -> Placeholder? {
        if let byID = placeholders.first(where: { $0.id == name }) { return byID }
        if let byPosition = placeholders.first(where: { $0.position == name }) { return byPosition }
        guard name.hasPrefix("#"), let number = Int(name.dropFirst()), (1...placeholders.count).contains(number) else { return nil }
        return placeholders[number - 1]
    }
}
