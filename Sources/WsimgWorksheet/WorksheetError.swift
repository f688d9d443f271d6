import WsimgBasics
import WsimgJSON

package enum WorksheetError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notJSON(JSONSyntaxError)
    case notAWorksheet(String)

    /// The file is not a worksheet at all (not JSON, or JSON of another shape), rather than unreadable.
    package var isNotAWorksheet: Bool {
        switch self {
        case .notJSON, .notAWorksheet: true
        case .unreadable: false
        }
    }

    package var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read worksheet \(path): \(reason)"
        case .notJSON(let error): "the worksheet is not valid JSON: \(error)"
        case .notAWorksheet(let reason): "this is not a worksheet: \(reason)"
        }
    }
}
