import Foundation

/// What wsimg asks of folders, with names kept as bytes (`FileNameBytes`), where FileManager would
/// read a name that is not UTF-8 as another one.
package enum FileSystem {
    /// A failed call: the system's own words for it.
    package struct Failure: LocalizedError, CustomStringConvertible {
        package let reason: String
        package var errorDescription: String? { reason }
        package var failureReason: String? { reason }
        package var description: String { reason }

        package static func last() -> Failure { Failure(reason: String(cString: strerror(errno))) }
    }

    /// Whether anything is at `path` (a link is followed, as FileManager does).
    package static func fileExists(atPath path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// The names in `folder` (not `.` and `..`), each as `FileNameBytes` keeps it.
    package static func contentsOfDirectory(atPath folder: String) throws(Failure) -> [String] {
        guard let stream = FileNameBytes.withPath(folder, { opendir($0) }) else { throw .last() }
        return names(in: stream)
    }

    /// The names in the folder open as `descriptor` (which stays open, the caller's to close).
    package static func contentsOfDirectory(descriptor: Int32) throws(Failure) -> [String] {
        let copy = dup(descriptor)
        guard copy >= 0 else { throw .last() }
        guard let stream = fdopendir(copy) else {
            let failure = Failure.last()
            close(copy)
            throw failure
        }
        return names(in: stream)
    }

    /// Reads and closes `stream`.
    private static func names(in stream: OpaquePointer) -> [String] {
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { FileNameBytes.decode($0.prefix { $0 != 0 }) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Makes `folder` and any missing parents (`mode` for those it makes); a folder already there is fine.
    package static func createDirectory(atPath folder: String, mode: mode_t = 0o777) throws(Failure) {
        if mkdir(folder, mode) == 0 { return }
        let failure = errno
        if failure == EEXIST, Paths.isFolder(folder) { return }
        guard failure == ENOENT else {
            errno = failure
            throw .last()
        }
        let parent = Paths.folder(of: folder)
        guard parent != folder, !parent.isEmpty else { throw .last() }
        try createDirectory(atPath: parent, mode: mode)
        if mkdir(folder, mode) != 0, !(errno == EEXIST && Paths.isFolder(folder)) { throw .last() }
    }

    /// The folder wsimg runs in, as `FileNameBytes` keeps it.
    package static var currentDirectoryPath: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return FileManager.default.currentDirectoryPath }
        return FileNameBytes.decode(cString: buffer)
    }
}
