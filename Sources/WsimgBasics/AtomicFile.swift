import Foundation

/// Writes files so that a crash, Ctrl-C or `kill -9` leaves either the old file or the new one,
/// never a part: the bytes go to a temporary file in the same folder, are flushed, then renamed.
///
/// Each temporary is `flock`ed by its writer from creation until it is renamed or deleted, so a later
/// run (in this PID namespace or another container's) removes only leftovers nobody holds.
package enum AtomicFile {
    package static let temporaryPrefix = ".wsimg-"
    package static let temporarySuffix = ".tmp"

    /// Permissions of a new file: 0666 less the process's umask, as `open(2)` would give it.
    package static let newFileMode: mode_t = {
        let mask = umask(0o022)
        umask(mask)
        return 0o666 & ~mask
    }()

    /// Writes a new file, or replaces one, at `path`. `durable`: also fsync before the rename (and the
    /// folder after), so the file survives a power cut whole; pictures skip it (see `SpooledFile.finish`).
    /// An existing file keeps its permissions and, where allowed, its owner and group.
    package static func write(_ bytes: [UInt8], to path: String, durable: Bool = true) throws(OutputError) {
        try write(to: path, durable: durable) { (fd) throws(OutputError) in
            if let failure = bytes.withUnsafeBytes({ writeAll($0, to: fd) }) { throw .cannotWrite(path: path, reason: failure) }
        }
    }

    /// As `write(_:to:durable:)`, with the content written to the temporary's descriptor by `body`
    /// (streamed); when `body` or `beforeRename` (the last check, just before the new file takes the
    /// old one's place) throws, the temporary is removed and the old file left as it was.
    package static func write(
        to path: String, durable: Bool = true, beforeRename: () throws(OutputError) -> Void = {},
        writing body: (Int32) throws(OutputError) -> Void
    ) throws(OutputError) {
        let folder = Paths.folder(of: path)
        guard let (fd, temporary) = createTemporary(in: folder) else {
            throw .cannotWrite(path: path, reason: lastError())
        }
        defer { close(fd) }
        do {
            try body(fd)
        } catch {
            unlink(temporary)
            throw error
        }
        var failure = copyOwnership(from: path, to: fd)
        if failure == nil, durable, fsync(fd) != 0 { failure = lastError() }
        if failure == nil {
            do {
                try beforeRename()
            } catch {
                unlink(temporary)
                throw error
            }
        }
        if failure == nil, rename(temporary, path) != 0 { failure = lastError() }
        if let failure {
            unlink(temporary)
            throw .cannotWrite(path: path, reason: failure)
        }
        if durable { syncFolder(folder) }
    }

    /// Gives the temporary at `fd` the mode (and, where allowed, owner and group) of the file at `path`,
    /// or a new file's mode when there is none.
    package static func copyOwnership(from path: String, to fd: Int32) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            return fchmod(fd, newFileMode) == 0 ? nil : lastError()
        }
        // Owner first (only root may), then group (allowed to a member), then the mode, which a chown may clear.
        if fchown(fd, info.st_uid, info.st_gid) != 0 { _ = fchown(fd, uid_t.max, info.st_gid) }
        return fchmod(fd, info.st_mode & 0o7777) == 0 ? nil : lastError()
    }

    package static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Writes all of `bytes` to `fd`; returns why it could not, if it could not.
    package static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> String? {
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

    /// Creates `.wsimg-<pid>-XXXXXX.tmp` in `directory`, locked; returns its descriptor and path, or nil (see errno).
    /// The lock lasts as long as the descriptor is open.
    package static func createTemporary(in directory: String) -> (descriptor: Int32, path: String)? {
        var template = Array("\(directory)/\(temporaryPrefix)\(getpid())-XXXXXX\(temporarySuffix)".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, Int32(temporarySuffix.utf8.count)) }
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = flock(fd, LOCK_EX | LOCK_NB)
        return (fd, String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Removes temporary files in `directory` that no live writer holds (whatever their pid says: a
    /// process in another container may have the same one).
    package static func removeStaleTemporaries(in directory: String) {
        guard let names = try? FileSystem.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(temporaryPrefix) && name.hasSuffix(temporarySuffix) {
            let path = "\(directory)/\(name)"
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { continue }
            var info = stat()
            if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, flock(fd, LOCK_EX | LOCK_NB) == 0 {
                unlink(path)
            }
            close(fd)
        }
    }

    package static func lastError() -> String { String(cString: strerror(errno)) }
}
