import Foundation

/// The worksheet on disk: what it was when read, and how to replace it without losing anything —
/// an edit made during the run, its permissions and owner, a symlink, a hard-linked partner.
public enum WorksheetFile {
    /// Enough of a file to tell it changed: identity, size, modification time to the nanosecond, and a
    /// hash of its bytes (mtime alone misses an edit in the same tick and raises false alarms on touch).
    public struct Snapshot: Sendable, Equatable {
        let device: UInt64
        let inode: UInt64
        let size: Int64
        let modified: timespec
        let hash: UInt64

        public static func == (a: Snapshot, b: Snapshot) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size && a.hash == b.hash
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
        }
    }

    /// The file as it is now (after the stat, its bytes are read; an edit in between shows in the hash).
    public static func snapshot(of path: String, bytes: [UInt8]? = nil) -> Snapshot? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        guard let bytes = bytes ?? (try? RegularFile.read(path)) else { return nil }
        return Snapshot(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            modified: info.st_mtim, hash: StableHash.fnv1a64Bytes(bytes))
    }

    /// The file a write to `path` must change: a symlink's final target (so the link stays a link and
    /// the real file is updated), or `path` itself.
    public static func target(of path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Replaces the file at `path` (a resolved target) with `bytes`, atomically and durably, keeping its
    /// mode and owner. A file with other hard links is written in place, as vim does, so every name
    /// sees the new content: the complete new text is first written and fsynced beside it as a backup.
    public static func replace(_ path: String, with bytes: [UInt8]) throws(OutputError) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_nlink > 1 else {
            try AtomicFile.write(bytes, to: path)
            return
        }
        let folder = Paths.folder(of: path)
        guard let (backup, backupPath) = AtomicFile.createTemporary(in: folder) else {
            throw .cannotWrite(path: path, reason: AtomicFile.lastError())
        }
        defer {
            close(backup)
            unlink(backupPath)
        }
        if let failure = bytes.withUnsafeBytes({ AtomicFile.writeAll($0, to: backup) }) ?? (fsync(backup) == 0 ? nil : AtomicFile.lastError()) {
            throw .cannotWrite(path: path, reason: failure)
        }
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: AtomicFile.lastError()) }
        defer { close(fd) }
        if let failure = bytes.withUnsafeBytes({ AtomicFile.writeAll($0, to: fd) }) ?? (fsync(fd) == 0 ? nil : AtomicFile.lastError()) {
            throw .cannotWrite(path: path, reason: failure)
        }
    }
}
