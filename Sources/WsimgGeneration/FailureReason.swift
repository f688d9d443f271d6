/// Why an image was not made. Only its own failures are listed one by one; one the run's stop left
/// undone is counted as "not generated" after the one line that said why.
package enum FailureReason: Sendable, Equatable, CustomStringConvertible {
    /// The image's own failure: its answer, its picture, its file.
    case own(String)
    /// The run stopped before this image was sent.
    case notStarted(GenerationEngine.StopReason)
    /// The run's stop cut this image short, or was this image's answer (a refused key).
    case stopped(GenerationEngine.StopReason)
    /// `wsimg pick` sends nothing: an element whose picture is missing is left as it is.
    case notPicked

    package var isOwn: Bool {
        switch self {
        case .own, .notPicked: true
        case .notStarted, .stopped: false
        }
    }

    package var description: String {
        switch self {
        case .own(let text): text
        case .notStarted(let stop): "not started: \(stop)"
        case .stopped(let stop): "\(stop)"
        case .notPicked: "no picture for its prompt or size: `wsimg pick` sends no request, `wsimg generate` makes it"
        }
    }
}
