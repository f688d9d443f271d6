package enum OutputError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotCreateFolder(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    /// The worksheet was edited during the run, and its image elements with it: nothing was written.
    case changedDuringRun(path: String)
    /// The worksheet's bytes were not the ones scanned when they were copied into the new version.
    case changedWhileWriting
    /// The images folder's manifest of choices was written by a newer wsimg: read as far as it is
    /// understood, never rewritten (that would drop what this version does not know).
    case newerManifest(path: String, version: Int, supported: Int)

    package var description: String {
        switch self {
        case .cannotCreateFolder(let path, let reason): "cannot create folder \(path): \(reason)"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        case .changedWhileWriting: "the worksheet changed while its new version was written"
        case .newerManifest(let path, let version, let supported):
            "\(path) is version \(version), written by a newer wsimg than this one (\(Version.current), which writes version \(supported)); it is read as far as it is understood and left as it is, so this run's choices and candidates are not recorded in it: use the newer wsimg"
        case .changedDuringRun(let path):
            "\(path) was changed while wsimg ran, image elements included, so it was not written; the new pictures are kept in the images folder: run the same command again to link them"
        }
    }
}
