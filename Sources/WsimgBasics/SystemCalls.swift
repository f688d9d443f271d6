import Foundation

// The system calls wsimg makes with a path, taking the path as `FileNameBytes` keeps it: these shadow
// the C library's, so every `open(path, …)` in the module reaches the file the user named, whatever
// bytes its name holds. (stat and lstat go through fstatat: Swift reads `stat` as the struct.)

@discardableResult package func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    FileNameBytes.withPath(path) { Glibc.open($0, flags, mode) }
}

@discardableResult package func openat(_ folder: Int32, _ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    FileNameBytes.withPath(path) { Glibc.openat(folder, $0, flags, mode) }
}

@discardableResult package func stat(_ path: String, _ info: UnsafeMutablePointer<stat>) -> Int32 {
    FileNameBytes.withPath(path) { fstatat(AT_FDCWD, $0, info, 0) }
}

@discardableResult package func lstat(_ path: String, _ info: UnsafeMutablePointer<stat>) -> Int32 {
    FileNameBytes.withPath(path) { fstatat(AT_FDCWD, $0, info, AT_SYMLINK_NOFOLLOW) }
}

@discardableResult package func fstatat(_ folder: Int32, _ path: String, _ info: UnsafeMutablePointer<stat>, _ flags: Int32) -> Int32 {
    FileNameBytes.withPath(path) { Glibc.fstatat(folder, $0, info, flags) }
}

@discardableResult package func unlink(_ path: String) -> Int32 { FileNameBytes.withPath(path) { Glibc.unlink($0) } }

@discardableResult package func unlinkat(_ folder: Int32, _ path: String, _ flags: Int32) -> Int32 {
    FileNameBytes.withPath(path) { Glibc.unlinkat(folder, $0, flags) }
}

@discardableResult package func rmdir(_ path: String) -> Int32 { FileNameBytes.withPath(path) { Glibc.rmdir($0) } }

@discardableResult package func mkdir(_ path: String, _ mode: mode_t) -> Int32 { FileNameBytes.withPath(path) { Glibc.mkdir($0, mode) } }

@discardableResult package func access(_ path: String, _ mode: Int32) -> Int32 { FileNameBytes.withPath(path) { Glibc.access($0, mode) } }

@discardableResult package func utimes(_ path: String, _ times: UnsafePointer<timeval>?) -> Int32 { FileNameBytes.withPath(path) { Glibc.utimes($0, times) } }

@discardableResult package func rename(_ from: String, _ to: String) -> Int32 {
    FileNameBytes.withPath(from) { source in FileNameBytes.withPath(to) { Glibc.rename(source, $0) } }
}

@discardableResult package func link(_ from: String, _ to: String) -> Int32 {
    FileNameBytes.withPath(from) { source in FileNameBytes.withPath(to) { Glibc.link(source, $0) } }
}

/// The path with every link and `..` resolved, or nil.
package func resolvedPath(_ path: String) -> String? {
    FileNameBytes.withPath(path) { bytes in
        guard let resolved = Glibc.realpath(bytes, nil) else { return nil }
        defer { free(resolved) }
        return FileNameBytes.decode(cString: resolved)
    }
}
