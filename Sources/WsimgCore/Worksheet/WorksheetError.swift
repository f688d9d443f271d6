public enum WorksheetError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notJSON(JSONSyntaxError)
    case notAWorksheet(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read worksheet \(path): \(reason)"
        case .notJSON(let error): "the worksheet is not valid JSON: \(error)"
        case .notAWorksheet(let reason): "this is not a worksheet: \(reason)"
        }
    }
}
