import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Checks, before anything is generated (and paid for), that the files the run will write can be
/// written: a problem found only after the pictures arrived would waste them.
package enum OutputPreflight {
    /// (A report over a worksheet is the run's to refuse: `RunInputs.check` sees every worksheet.)
    package static func check(output: String?, report: String?) throws(OutputError) {
        if let output { try checkWritable(output) }
        if let report { try checkWritable(report) }
    }

    /// A file that may not exist yet, in a folder that must.
    package static func checkWritable(_ path: String) throws(OutputError) {
        let target = WorksheetFile.target(of: path)
        var info = stat()
        if lstat(target, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                // No write bit for anyone means "keep", even to root, whom access(2) lets write anything.
                guard access(target, W_OK) == 0, info.st_mode & 0o222 != 0 else { throw .cannotWrite(path: path, reason: "it is read-only") }
            case S_IFDIR:
                throw .cannotWrite(path: path, reason: "it is a folder; name a file")
            default:
                throw .cannotWrite(path: path, reason: "it is not a regular file")
            }
        }
        let folder = Paths.folder(of: target)
        var folderInfo = stat()
        guard stat(folder, &folderInfo) == 0, folderInfo.st_mode & S_IFMT == S_IFDIR else {
            throw .cannotWrite(path: path, reason: "the folder \(folder) does not exist")
        }
        guard access(folder, W_OK) == 0 else { throw .cannotWrite(path: path, reason: "the folder \(folder) is not writable") }
    }
}
