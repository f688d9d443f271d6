import Foundation

/// Writes files so that a crash, Ctrl-C or `kill -9` leaves either the old file or the new one,
/// never a part: the bytes go to a temporary file in the same folder, are flushed, then renamed.
/// Temporary names carry the writer's pid, so a later run can tell a dead run's leftovers.
public enum AtomicFile {
    static let temporaryPrefix = ".wsimg-"
    static let temporarySuffix = ".tmp"

    /// `durable`: also fsync before the rename, so the file survives a power cut whole. Pictures skip
    /// it (see `SpooledFile.finish`); the worksheet and the report do not.
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = true) throws(OutputError) {
        let folder = (path as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        var template = Array("\(directory)/\(temporaryPrefix)\(getpid())-XXXXXX\(temporarySuffix)".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(temporarySuffix.utf8.count)) }
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: lastError()) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = lastError()
                    return
                }
                offset += written
            }
        }
        if failure == nil, fchmod(fd, 0o644) != 0 || (durable && fsync(fd) != 0) { failure = lastError() }
        if close(fd) != 0, failure == nil { failure = lastError() }
        if failure == nil, rename(temporary, path) != 0 { failure = lastError() }
        if let failure {
            unlink(temporary)
            throw .cannotWrite(path: path, reason: failure)
        }
    }

    /// Removes temporary files left in `directory` by runs that are no longer alive.
    public static func removeStaleTemporaries(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(temporaryPrefix) && name.hasSuffix(temporarySuffix) {
            let pidText = name.dropFirst(temporaryPrefix.count).prefix(while: \.isNumber)
            guard let pid = Int32(pidText) else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                unlink("\(directory)/\(name)")
            }
        }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}
