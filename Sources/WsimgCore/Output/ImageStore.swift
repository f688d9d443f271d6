import Foundation

/// The images folder: names files `<id>-<key>.png`, writes them atomically, and recognises its own files.
public struct ImageStore: Sendable {
    /// Absolute path of the folder.
    public let directory: String
    /// The folder as written in worksheet URLs: relative to the output worksheet's folder.
    public let urlPrefix: String
    /// The folder relative links are written from (the output worksheet's).
    public let linkBase: String

    public init(directory: String, urlPrefix: String, linkBase: String? = nil) {
        self.directory = directory
        self.urlPrefix = urlPrefix
        self.linkBase = linkBase ?? Paths.folder(of: directory)
    }

    /// The link to a picture elsewhere on disk, as written in the output worksheet.
    public func url(forFile path: String) -> String {
        let name = (path as NSString).lastPathComponent
        guard Paths.folder(of: path) == directory else { return Paths.relative(path, from: linkBase) }
        return urlPrefix.isEmpty ? name : urlPrefix + "/" + name
    }

    public static func fileName(id: String, key: String) -> String { "\(id)-\(key).png" }

    public func path(id: String, key: String) -> String { directory + "/" + Self.fileName(id: id, key: key) }

    public func url(id: String, key: String) -> String {
        (urlPrefix.isEmpty ? "" : urlPrefix + "/") + Self.fileName(id: id, key: key)
    }

    /// If `url` names a file this store made for element `id`, its key.
    public func key(inURL url: String, id: String) -> String? {
        let prefix = (urlPrefix.isEmpty ? "" : urlPrefix + "/") + id + "-"
        guard url.hasPrefix(prefix), url.hasSuffix(".png") else { return nil }
        let key = url.dropFirst(prefix.count).dropLast(4)
        return CacheKey.isKey(key) ? String(key) : nil
    }

    public func prepare() throws(OutputError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateFolder(path: directory, reason: (error as NSError).localizedFailureReason ?? "\(error.localizedDescription)")
        }
        guard access(directory, W_OK) == 0 else {
            throw .cannotCreateFolder(path: directory, reason: AtomicFile.lastError())
        }
        AtomicFile.removeStaleTemporaries(in: directory)
    }

    /// Writes a picture (marked with its key, see `PictureMark`).
    public func write(_ png: [UInt8], id: String, key: String) throws(OutputError) {
        try AtomicFile.write(PictureMark.insert(key: key, into: png), to: path(id: id, key: key), durable: false)
    }

    /// Puts a validated picture in place, atomically: writes bytes, or renames a spooled file.
    public func store(_ payload: ImagePayload, id: String, key: String) throws(OutputError) {
        switch payload {
        case .bytes(let png): try write(png, id: id, key: key)
        case .spooled(let file): try file.move(to: path(id: id, key: key))
        }
    }

    /// Deletes the file an element's old URL named, once a new picture replaced it. Only files this store
    /// made are touched, never whatever else a worksheet's URL points at.
    public func removeSuperseded(url: String, id: String, current key: String) {
        guard let old = self.key(inURL: url, id: id), old != key else { return }
        unlink(path(id: id, key: old))
    }
}
