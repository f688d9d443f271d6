import Foundation

/// Opens only regular files: a FIFO or a device at a path (`/dev/zero`, a named pipe called
/// `x.png`) is refused before anything is read, so no command can block on one or read forever.
package enum RegularFile {
    package enum Problem: Error, Equatable, CustomStringConvertible {
        case missing
        case folder
        case notRegular(String)
        case unreadable(String)

        package var description: String {
            switch self {
            case .missing: "no such file"
            case .folder: "it is a folder"
            case .notRegular(let kind): "it is not a regular file (\(kind))"
            case .unreadable(let why): why
            }
        }
    }

    /// A descriptor open for reading (close it), and the file's size. `followLinks: false` for files
    /// in folders others may write (a symbolic link there is refused, as not a regular file).
    package static func open(_ path: String, followLinks: Bool = true) throws(Problem) -> (descriptor: Int32, size: Int) {
        let fd = WsimgBasics.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            throw errno == ENOENT ? .missing : .unreadable(String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw .unreadable(String(cString: strerror(errno)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR:
            close(fd)
            throw .folder
        case S_IFIFO:
            close(fd)
            throw .notRegular("a FIFO")
        case S_IFCHR, S_IFBLK:
            close(fd)
            throw .notRegular("a device")
        case S_IFSOCK:
            close(fd)
            throw .notRegular("a socket")
        default:
            close(fd)
            throw .notRegular("a special file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, Int(info.st_size))
    }

    /// The whole file, at most `limit` bytes.
    package static func read(_ path: String, limit: Int = 1 << 30, followLinks: Bool = true) throws(Problem) -> [UInt8] {
        let (fd, size) = try open(path, followLinks: followLinks)
        defer { close(fd) }
        guard size <= limit else { throw .unreadable("it is larger than \(limit >> 20) MiB") }
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + offset, size - offset, off_t(offset)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                if count == 0 { break }
                throw .unreadable(String(cString: strerror(errno)))
            }
            offset += count
        }
        return Array(bytes.prefix(offset))
    }

    /// Up to `count` bytes at `offset` (fewer only at the end of the file or on an error).
    package static func read(_ fd: Int32, count: Int, at offset: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(0, count))
        var done = 0
        while done < bytes.count {
            let read = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            if read < 0, errno == EINTR { continue }
            guard read > 0 else { break }
            done += read
        }
        return Array(bytes.prefix(done))
    }
}
