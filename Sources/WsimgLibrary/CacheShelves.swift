import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// The cache's `v1/png/<ab>/<sha256>.png` shelves, walked and trimmed through descriptors: a cache may
/// be shared by a group or restored from a CI archive, so anything planted in it (a symbolic link in
/// place of a shelf or a picture, a file of another name) is neither followed, counted nor deleted.
/// Only regular files named as the cache names its pictures, in real folders of the cache, are entries.
package struct CacheShelves {
    package struct Entry {
        package let shelf: String
        package let name: String
        package let size: Int
        /// Last use (the file's modification time), in seconds since 1970.
        package let used: Double
    }

    package let base: String

    /// `ab` for a shelf, lower-case hex as the cache writes it.
    package static func isShelfName(_ name: String) -> Bool {
        name.utf8.count == 2 && name.utf8.allSatisfy(isHexDigit)
    }

    /// `<64 hex>.png`, on the shelf named by its first two digits.
    package static func isPictureName(_ name: String, on shelf: String) -> Bool {
        let bytes = Array(name.utf8)
        return bytes.count == 68 && name.hasSuffix(".png") && bytes[..<64].allSatisfy(isHexDigit) && name.hasPrefix(shelf)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// Opens a folder of the cache, refusing a symbolic link in its place.
    private static func openFolder(_ path: String, in parent: Int32 = AT_FDCWD) -> Int32? {
        let fd = openat(parent, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        return fd >= 0 ? fd : nil
    }

    /// Whether every folder from the cache's root down to `base` is a real folder (no link on the way).
    package func isReal() -> Bool {
        var info = stat()
        return [Paths.folder(of: base), base].allSatisfy { lstat($0, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR }
    }

    /// Whether `shelf` is a real folder of the cache (or not there yet), so a picture's path through it
    /// reaches no other place.
    package func isRealShelf(_ shelf: String) -> Bool {
        var info = stat()
        guard isReal() else { return false }
        return lstat(base + "/" + shelf, &info) != 0 ? errno == ENOENT : info.st_mode & S_IFMT == S_IFDIR
    }

    /// Calls `body` with each shelf's descriptor and name; the descriptor is closed afterwards.
    private func forEachShelf(_ body: (Int32, String) -> Void) {
        guard isReal(), let baseFD = Self.openFolder(base) else { return }
        defer { close(baseFD) }
        for shelf in ((try? FileSystem.contentsOfDirectory(descriptor: baseFD)) ?? []) where Self.isShelfName(shelf) {
            guard let shelfFD = Self.openFolder(shelf, in: baseFD) else { continue }
            body(shelfFD, shelf)
            close(shelfFD)
        }
    }

    private static func entry(_ name: String, on shelf: String, in folder: Int32) -> Entry? {
        guard isPictureName(name, on: shelf) else { return nil }
        var info = stat()
        guard fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Entry(shelf: shelf, name: name, size: Int(info.st_size), used: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    /// Every picture of the cache.
    package func entries() -> [Entry] {
        var found: [Entry] = []
        forEachShelf { folder, shelf in
            found += ((try? FileSystem.contentsOfDirectory(descriptor: folder)) ?? []).compactMap { Self.entry($0, on: shelf, in: folder) }
        }
        return found
    }

    /// Deletes the `chosen` entries, each looked at again (a regular file, not used since it was
    /// listed) just before it goes; returns what was deleted.
    package func remove(_ chosen: [Entry]) -> [Entry] {
        let byShelf = Dictionary(grouping: chosen, by: \.shelf)
        var removed: [Entry] = []
        forEachShelf { folder, shelf in
            for listed in byShelf[shelf] ?? [] {
                guard let now = Self.entry(listed.name, on: shelf, in: folder), now.used <= listed.used else { continue }
                if unlinkat(folder, listed.name, 0) == 0 { removed.append(now) }
            }
        }
        return removed
    }
}
