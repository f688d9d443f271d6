import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// The images folder: names files `<id>-<key>.png`, writes them atomically, and recognises its own files.
package struct ImageStore: PictureFolder {
    /// Absolute path of the folder.
    package let directory: String
    /// The folder as written in worksheet URLs: relative to the output worksheet's folder.
    package let urlPrefix: String
    /// The folder relative links are written from (the output worksheet's).
    package let linkBase: String

    package init(directory: String, urlPrefix: String, linkBase: String? = nil) {
        self.directory = directory
        self.urlPrefix = urlPrefix
        self.linkBase = linkBase ?? Paths.folder(of: directory)
    }

    /// The link to a picture elsewhere on disk, as written in the output worksheet.
    package func url(forFile path: String) -> String {
        let name = (path as NSString).lastPathComponent
        guard Paths.folder(of: path) == directory else { return Paths.relative(path, from: linkBase) }
        return urlPrefix.isEmpty ? name : urlPrefix + "/" + name
    }

    package static func fileName(id: String, key: String) -> String { "\(id)-\(key).png" }

    package func path(id: String, key: String) -> String { directory + "/" + Self.fileName(id: id, key: key) }

    package func url(id: String, key: String) -> String {
        (urlPrefix.isEmpty ? "" : urlPrefix + "/") + Self.fileName(id: id, key: key)
    }

    /// If `url` names a picture in this store, named as wsimg names them (`<name>-<key>.png`), whatever
    /// element it was made for: its path and key. Pictures are recognised by their key, never by the
    /// element's name or position, which inserting or moving elements changes.
    package func picture(inURL url: String) -> (file: String, key: String)? {
        let prefix = urlPrefix.isEmpty ? "" : urlPrefix + "/"
        guard url.hasPrefix(prefix) else { return nil }
        let name = url.dropFirst(prefix.count)
        guard !name.contains("/"), let key = Self.key(inFileName: name) else { return nil }
        return (directory + "/" + name, key)
    }

    /// The key in a picture's file name as wsimg makes them (`<name>-<12 hex digits>.png`).
    package static func key(inFileName text: some StringProtocol) -> String? {
        let name = Substring(text)
        guard name.hasSuffix(".png"), name.count > CacheKey.length + 5 else { return nil }
        let stem = name.dropLast(4)
        let key = stem.suffix(CacheKey.length)
        guard stem.dropLast(CacheKey.length).hasSuffix("-"), CacheKey.isKey(key) else { return nil }
        return String(key)
    }

    /// A picture wsimg made, wherever a worksheet links it (another worksheet's images folder, say):
    /// named as wsimg names them, and marked inside with the same key — or gone (then the name says
    /// what it was). A file of that name without the mark is someone else's. Its path and key.
    package static func picture(atLink url: String, from folder: String) -> (file: String, key: String)? {
        guard !url.isEmpty, !url.contains(":"), let key = key(inFileName: (url as NSString).lastPathComponent) else { return nil }
        let file = Paths.absolute(url, base: folder)
        guard let (fd, _) = try? RegularFile.open(file) else { return FileSystem.fileExists(atPath: file) ? nil : (file, key) }
        defer { close(fd) }
        return PictureMark.key(in: RegularFile.read(fd, count: 128, at: 0)) == key ? (file, key) : nil
    }

    package func prepare() throws(OutputError) {
        do {
            try FileSystem.createDirectory(atPath: directory)
        } catch {
            throw .cannotCreateFolder(path: directory, reason: (error as NSError).localizedFailureReason ?? "\(error.localizedDescription)")
        }
        guard access(directory, W_OK) == 0 else {
            throw .cannotCreateFolder(path: directory, reason: AtomicFile.lastError())
        }
        AtomicFile.removeStaleTemporaries(in: directory)
    }

    /// Writes a picture (marked with its key, see `PictureMark`).
    package func write(_ png: [UInt8], id: String, key: String) throws(OutputError) {
        try AtomicFile.write(PictureMark.insert(key: key, into: png), to: path(id: id, key: key), durable: false)
    }

    /// Puts a validated picture in place, atomically: writes bytes, or renames a spooled file.
    package func store(_ payload: ImagePayload, id: String, key: String) throws(OutputError) {
        switch payload {
        case .bytes(let png): try write(png, id: id, key: key)
        case .spooled(let file): try file.move(to: path(id: id, key: key))
        }
    }

    /// Deletes the file an element's old URL named, once a new picture replaced it. Only files this store
    /// made are touched, never whatever else a worksheet's URL points at.
    package func removeSuperseded(url: String, current key: String) {
        guard let old = picture(inURL: url), old.key != key else { return }
        unlink(old.file)
    }
}
