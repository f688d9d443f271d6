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
        guard let (fd, temporary) = createTemporary(in: folder.isEmpty ? "." : folder) else {
            throw .cannotWrite(path: path, reason: lastError())
        }
        var failure = bytes.withUnsafeBytes { writeAll($0, to: fd) }
        if failure == nil, fchmod(fd, 0o644) != 0 || (durable && fsync(fd) != 0) { failure = lastError() }
        if close(fd) != 0, failure == nil { failure = lastError() }
        if failure == nil, rename(temporary, path) != 0 { failure = lastError() }
        if let failure {
            unlink(temporary)
            throw .cannotWrite(path: path, reason: failure)
        }
    }

    /// Writes all of `bytes` to `fd`; returns why it could not, if it could not.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> String? {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return lastError()
            }
            offset += written
        }
        return nil
    }

    /// Creates `.wsimg-<pid>-XXXXXX.tmp` in `directory`; returns its descriptor and path, or nil (see errno).
    static func createTemporary(in directory: String) -> (descriptor: Int32, path: String)? {
        var template = Array("\(directory)/\(temporaryPrefix)\(getpid())-XXXXXX\(temporarySuffix)".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(temporarySuffix.utf8.count)) }
        guard fd >= 0 else { return nil }
        return (fd, String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
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
