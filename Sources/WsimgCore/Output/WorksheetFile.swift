import Foundation

/// The worksheet on disk: what it was when read, and how to replace it without losing anything —
/// an edit made during the run, its permissions and owner, a symlink, a hard-linked partner.
public enum WorksheetFile {
    /// The file a write to `path` must change: a symlink's final target (so the link stays a link and
    /// the real file is updated), or `path` itself.
    public static func target(of path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Replaces the file at `path` (a resolved target) with what `write` writes to a descriptor,
    /// atomically and durably, keeping its mode and owner. A file with other hard links is written in
    /// place, as vim does, so every name sees the new content: the complete new text is first written
    /// and fsynced beside it as a backup, then copied over it.
    public static func replace(_ path: String, writing write: (Int32) throws(OutputError) -> Void) throws(OutputError) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_nlink > 1 else {
            try AtomicFile.write(to: path, writing: write)
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
        try write(backup)
        if fsync(backup) != 0 { throw .cannotWrite(path: path, reason: AtomicFile.lastError()) }
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: AtomicFile.lastError()) }
        defer { close(fd) }
        let copied = try WorksheetSource(descriptor: backup).forEachChunk { (chunk) throws(OutputError) in
            if let failure = AtomicFile.writeAll(chunk, to: fd) { throw OutputError.cannotWrite(path: path, reason: failure) }
        }
        if let failure = copied ?? (fsync(fd) == 0 ? nil : AtomicFile.lastError()) {
            throw .cannotWrite(path: path, reason: failure)
        }
    }
}
