import Foundation

/// Opening wsimg's own state files (run locks, pace state, the cache's lock, the redo manifest)
/// where someone else may have planted something: never through a symbolic link, only a regular
/// file, and never inherited by a child process.
package enum SafeOpen {
    /// Opens (creating, 0600 less nothing) the state file at `path` for reading and writing.
    package static func stateFile(_ path: String, mode: mode_t = AtomicFile.newFileMode) throws(OutputError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode)
        guard fd >= 0 else {
            if errno == ELOOP { throw .cannotWrite(path: path, reason: "it is a symbolic link, which wsimg does not write through; remove it") }
            throw .cannotWrite(path: path, reason: AtomicFile.lastError())
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .cannotWrite(path: path, reason: "it is not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// Whether the open file is this user's alone to change: owned by us, one name only, and not
    /// writable by others (nor by the group, unless `allowGroupWrite`).
    package static func isPrivate(_ fd: Int32, allowGroupWrite: Bool = false) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        let foreignWrite: mode_t = allowGroupWrite ? 0o002 : 0o022
        return info.st_uid == geteuid() && info.st_nlink == 1 && info.st_mode & foreignWrite == 0
    }

    /// Why `folder` (which must exist) is not safe to keep this user's state in — owned by someone
    /// else, or writable by others — or nil when it is (as ssh checks its folders).
    package static func problemWithFolder(_ folder: String, allowGroupWrite: Bool = false) -> String? {
        var info = stat()
        guard lstat(folder, &info) == 0 else { return AtomicFile.lastError() }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "it is not a folder" }
        if info.st_uid != geteuid() { return "it belongs to another user (uid \(info.st_uid))" }
        let foreignWrite: mode_t = allowGroupWrite ? 0o002 : 0o022
        if info.st_mode & foreignWrite != 0 { return "others can write to it (mode \(String(info.st_mode & 0o777, radix: 8)))" }
        return nil
    }

    /// Creates `folder` (and its parents) as `mode`, then checks it as `problemWithFolder` does.
    package static func privateFolder(_ folder: String, mode: mode_t = 0o700) -> String? {
        do {
            try FileSystem.createDirectory(atPath: folder, mode: mode)
        } catch {
            return (error as NSError).localizedFailureReason ?? error.localizedDescription
        }
        return problemWithFolder(folder)
    }
}
