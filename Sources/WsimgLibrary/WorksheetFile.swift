import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// The worksheet on disk: what it was when read, and how to replace it without losing anything —
/// an edit made during the run, its permissions and owner, a symlink, a hard-linked partner.
package enum WorksheetFile {
    /// What to do with a worksheet that has other hard links (`--hard-links`).
    package enum HardLinks: String, Sendable, CaseIterable {
        /// Write nothing: say so before any request (the default).
        case refuse
        /// Replace this name atomically; the other names keep the old version.
        case `break`
        /// Write every name's content in place, after a durable backup (see `replace`).
        case update
    }

    /// The file a write to `path` must change: a symlink's final target (so the link stays a link and
    /// the real file is updated), or `path` itself.
    package static func target(of path: String) -> String {
        resolvedPath(path) ?? path
    }

    /// The last check before `path` is replaced by a version spliced from `worksheet`: the path must
    /// still name the file that was read (an editor saves by renaming a new file over it).
    package static func stillNames(_ path: String, _ worksheet: Worksheet) throws(OutputError) {
        if FileStamp(path: path) != worksheet.source.lastRead { throw .changedWhileWriting }
    }

    /// How many names the regular file at `path` has (1 when it does not exist).
    package static func linkCount(_ path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return 1 }
        return Int(info.st_nlink)
    }

    /// The backup an in-place write keeps beside `path` until every byte is in place.
    package static func backupPath(of path: String) -> String {
        Paths.folder(of: path) + "/." + (path as NSString).lastPathComponent + ".wsimg-backup"
    }

    /// The backups beside `path`: `backupPath` and, where an earlier one was kept, `backupPath.N`.
    package static func backups(of path: String) -> [String] {
        let first = backupPath(of: path)
        let prefix = (first as NSString).lastPathComponent + "."
        let numbered = ((try? FileSystem.contentsOfDirectory(atPath: Paths.folder(of: path))) ?? []).filter {
            $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).isEmpty && $0.dropFirst(prefix.count).allSatisfy { $0.isASCII && $0.isNumber }
        }
        var info = stat()
        return (lstat(first, &info) == 0 ? [first] : []) + numbered.sorted().map { Paths.folder(of: path) + "/" + $0 }
    }

    /// Gives the written temporary file a backup name no other file has: an earlier run's backup that
    /// was kept stays as it is (`link` never replaces a name, as `rename` would).
    private static func nameBackup(_ temporary: String, of path: String) throws(OutputError) -> String {
        let first = backupPath(of: path)
        for copy in 0..<1000 {
            let backup = copy == 0 ? first : "\(first).\(copy)"
            if link(temporary, backup) == 0 {
                unlink(temporary)
                return backup
            }
            guard errno == EEXIST else { throw .cannotWrite(path: backup, reason: AtomicFile.lastError()) }
        }
        throw .cannotWrite(path: first, reason: "a thousand earlier backups are in the way")
    }

    /// Replaces the file at `path` (a resolved target) with what `write` writes to a descriptor,
    /// atomically and durably, keeping its mode and owner. `unchanged` runs right before the new
    /// version takes the old one's place, and throws `.changedWhileWriting` if the file was replaced
    /// meanwhile (an editor's save), so that save is not lost.
    ///
    /// A file with other hard links, with `.update`: the complete new text is first written beside it
    /// as a backup (fsynced, renamed into place, the folder fsynced), then copied over it, then the
    /// backup is deleted. A kill during the copy leaves the file cut short and the backup whole; the
    /// next run finds them (`recoverInterruptedCopy`) and finishes the copy.
    package static func replace(
        _ path: String, hardLinks: HardLinks = .break, unchanged: () throws(OutputError) -> Void = {},
        writing write: (Int32) throws(OutputError) -> Void
    ) throws(OutputError) {
        guard hardLinks == .update, linkCount(path) > 1 else {
            try AtomicFile.write(to: path, beforeRename: unchanged, writing: write)
            return
        }
        let folder = Paths.folder(of: path)
        guard let (fd, temporary) = AtomicFile.createTemporary(in: folder) else {
            throw .cannotWrite(path: path, reason: AtomicFile.lastError())
        }
        // The descriptor keeps the backup locked (see `recoverInterruptedCopy`) until it is gone.
        defer { close(fd) }
        let backup: String
        do throws(OutputError) {
            try write(fd)
            if fsync(fd) != 0 { throw .cannotWrite(path: path, reason: AtomicFile.lastError()) }
            try unchanged()
            backup = try nameBackup(temporary, of: path)
        } catch {
            unlink(temporary)
            throw error
        }
        AtomicFile.syncFolder(folder)
        try copy(from: fd, over: path)
        unlink(backup)
    }

    /// Writes the whole of the file at `source` over `path`'s content (same inode), durably.
    private static func copy(from source: Int32, over path: String) throws(OutputError) {
        let fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: AtomicFile.lastError()) }
        defer { close(fd) }
        let copied = try WorksheetSource(descriptor: source).forEachChunk { (chunk) throws(OutputError) in
            if let failure = AtomicFile.writeAll(chunk, to: fd) { throw OutputError.cannotWrite(path: path, reason: failure) }
        }
        if let failure = copied ?? (fsync(fd) == 0 ? nil : AtomicFile.lastError()) {
            throw .cannotWrite(path: path, reason: failure)
        }
    }

    /// Finishes an in-place write that a kill cut short: when the worksheet at `path` is the start of
    /// its backup (or all of it), the backup is copied over it and deleted. A backup that a live run
    /// holds is left to it; one that does not match is kept, and `say` is told.
    package static func recoverInterruptedCopy(of path: String, say: (Diagnostic) -> Void) {
        let target = target(of: path)
        for backup in backups(of: target) {
            recover(target, shown: path, from: backup, say: say)
        }
    }

    private static func recover(_ target: String, shown path: String, from backup: String, say: (Diagnostic) -> Void) {
        let fd = open(backup, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard SafeOpen.isPrivate(fd, allowGroupWrite: true), flock(fd, LOCK_EX | LOCK_NB) == 0 else { return }
        switch compare(target, withStartOf: fd) {
        case .same:
            unlink(backup)
        case .start:
            do {
                try copy(from: fd, over: target)
                unlink(backup)
                say(.note("\(TerminalText.safe(path)) was cut short by an interrupted wsimg run; restored it from \(TerminalText.safe(Paths.display(backup)))"))
            } catch {
                say(.warning("\(TerminalText.safe(path)) was cut short by an interrupted wsimg run and could not be restored from \(TerminalText.safe(Paths.display(backup))): \(error)"))
            }
        case .different:
            say(.warning("\(TerminalText.safe(Paths.display(backup))) holds the version of \(TerminalText.safe(path)) an interrupted wsimg run wrote; the worksheet has changed since, so it is kept (wsimg never writes over it): delete it when you no longer need it"))
        }
    }

    private enum Comparison { case same, start, different }

    /// Whether the file at `path` is the whole of `backup`, its start, or something else.
    private static func compare(_ path: String, withStartOf backup: Int32) -> Comparison {
        guard let (fd, size) = try? RegularFile.open(path) else { return .different }
        defer { close(fd) }
        var info = stat()
        guard fstat(backup, &info) == 0, size <= Int(info.st_size) else { return .different }
        let chunk = 1 << 20
        var offset = 0
        while offset < size {
            let count = min(chunk, size - offset)
            guard RegularFile.read(fd, count: count, at: offset) == RegularFile.read(backup, count: count, at: offset) else { return .different }
            offset += count
        }
        return size == Int(info.st_size) ? .same : .start
    }
}
