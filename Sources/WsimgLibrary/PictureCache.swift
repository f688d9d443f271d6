import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// A content-addressed store of validated pictures, shared by every worksheet and run on the machine
/// (and by CI jobs that restore it): `v1/png/<ab>/<sha256>.png`, named by a SHA-256 of everything that
/// determines the picture. Files go in whole (temporary, then rename) and read-only; pictures are
/// copied out, never linked, so editing one in an images folder cannot change the cache. Oldest
/// first eviction beyond a size limit, under a lock. A cache that cannot be used means no cache.
package struct PictureCache: Sendable {
    package let root: String
    /// Bytes kept at most.
    package let limit: Int

    package static let defaultLimit = 2 << 30
    /// `WSIMG_CACHE_SIZE` is in MiB, from 1 MiB to 16 TiB.
    package static let limitRange = 1...(16 << 20)

    /// The size limit `WSIMG_CACHE_SIZE` sets (the default when unset or empty).
    package static func limit(environment: [String: String]) throws(ConfigurationError) -> Int {
        guard let text = environment["WSIMG_CACHE_SIZE"], !text.isEmpty else { return defaultLimit }
        guard let megabytes = Int(text), limitRange.contains(megabytes) else {
            throw .badSetting(
                variable: "WSIMG_CACHE_SIZE", shown: text,
                expected: "it is the cache's size in MiB, a whole number from \(limitRange.lowerBound) to \(limitRange.upperBound)")
        }
        return megabytes << 20
    }

    package init(root: String, limit: Int = PictureCache.defaultLimit) {
        self.root = root
        self.limit = limit
    }

    /// The name of a picture in the cache: SHA-256 of its key fields (length-prefixed, so fields cannot run together).
    package static func contentKey(_ fields: [String]) -> String {
        SHA256.hex(fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|"))
    }

    package func path(for contentKey: String) -> String { "\(root)/v1/png/\(contentKey.prefix(2))/\(contentKey).png" }

    /// Creates the cache's folders and its `CACHEDIR.TAG` (so backup tools skip it); returns why the
    /// cache cannot be used, or nil when it is ready. A cache folder of another user, or one anybody
    /// may write to, is not used: its pictures could be anyone's (a group may share one).
    package func problem() -> String? {
        do {
            try FileSystem.createDirectory(atPath: root)
        } catch {
            return (error as NSError).localizedFailureReason ?? error.localizedDescription
        }
        if let problem = SafeOpen.problemWithFolder(root, allowGroupWrite: true) { return problem }
        do {
            try FileSystem.createDirectory(atPath: root + "/v1/tmp")
            let tag = root + "/CACHEDIR.TAG"
            if !FileSystem.fileExists(atPath: tag) {
                try AtomicFile.write(Array("Signature: 8a477f597d28d172789f06886806bc55\n# wsimg's picture cache: safe to delete.\n".utf8), to: tag)
            }
            return access(root + "/v1/tmp", W_OK) == 0 ? nil : AtomicFile.lastError()
        } catch {
            return (error as NSError).localizedFailureReason ?? error.localizedDescription
        }
    }

    /// Copies the cached picture for `contentKey` to `destination`, if it is a whole picture of that
    /// size marked with `key` (the picture's own name). Anything else under that name — damaged,
    /// swapped for another picture, a link — is deleted, so the picture is generated again.
    package func fetch(_ contentKey: String, key: String, to destination: String, width: Int, height: Int) -> Bool {
        let cached = path(for: contentKey)
        var info = stat()
        guard shelves.isRealShelf(String(contentKey.prefix(2))), lstat(cached, &info) == 0 else { return false }
        guard info.st_mode & S_IFMT == S_IFREG, let bytes = try? RegularFile.read(cached, limit: 256 << 20),
            PictureMark.key(in: bytes) == key, (try? PNGValidator.validate(bytes, width: width, height: height)) != nil
        else {
            unlink(cached)
            return false
        }
        guard (try? AtomicFile.write(bytes, to: destination, durable: false)) != nil else { return false }
        utimes(cached, nil)  // last use, for eviction
        return true
    }

    /// Keeps a copy of the validated picture at `file`, read-only.
    package func put(_ file: String, contentKey: String) {
        let cached = path(for: contentKey)
        guard !FileSystem.fileExists(atPath: cached), let bytes = try? RegularFile.read(file, limit: 256 << 20) else { return }
        try? FileSystem.createDirectory(atPath: Paths.folder(of: cached))
        guard shelves.isRealShelf(String(contentKey.prefix(2))) else { return }
        guard let (fd, temporary) = AtomicFile.createTemporary(in: root + "/v1/tmp") else { return }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { AtomicFile.writeAll($0, to: fd) } == nil
        if written, fchmod(fd, 0o444) == 0, rename(temporary, cached) == 0 { return }
        unlink(temporary)
    }

    /// Deletes the least recently used pictures until the cache holds at most `limit` bytes; one
    /// process at a time (a lock file that is never deleted), each file checked again before it goes.
    package func evict() {
        guard let fd = try? SafeOpen.stateFile(root + "/v1/lock") else { return }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return }  // another run is evicting
        AtomicFile.removeStaleTemporaries(in: root + "/v1/tmp")
        let files = shelves.entries()
        var total = files.reduce(0) { $0 + $1.size }
        var chosen: [CacheShelves.Entry] = []
        for file in files.sorted(by: { $0.used < $1.used }) where total > limit {
            chosen.append(file)
            total -= file.size
        }
        _ = shelves.remove(chosen)
    }
}

extension PictureCache {
    /// The picture shelves, walked without following anything planted in them.
    package var shelves: CacheShelves { CacheShelves(base: root + "/v1/png") }

    package func contents() -> (count: Int, bytes: Int) {
        let all = shelves.entries()
        return (all.count, all.reduce(0) { $0 + $1.size })
    }

    /// Deletes every picture, or those not used for `seconds`; returns how many and their size.
    package func clean(unusedFor seconds: Double?, now: Double = Date().timeIntervalSince1970) -> (count: Int, bytes: Int) {
        let removed = shelves.remove(shelves.entries().filter { entry in seconds.map { now - entry.used >= $0 } ?? true })
        return (removed.count, removed.reduce(0) { $0 + $1.size })
    }

    /// Keeps a copy of every picture a run generated, then trims the cache to its limit.
    package func keep(_ results: [GenerationResult]) {
        let made = results.filter { $0.status == .generated }
        for result in made {
            guard let store = result.job.store, let contentKey = result.job.contentKey else { continue }
            put(store.path(id: result.job.request.id, key: result.job.key), contentKey: contentKey)
        }
        if !made.isEmpty { evict() }
    }
}

extension GenerationPlan {
    /// Takes every missing picture the cache has (copied into the images folder, no request).
    /// Returns the plan with those as present, and how many there were.
    package func fillingFromCache(_ cache: PictureCache, provider: any ImageProvider, store: ImageStore) -> (GenerationPlan, Int) {
        var plan = self
        var filled = 0
        for index in plan.entries.indices where plan.entries[index].decision == .generate {
            let entry = plan.entries[index]
            guard let request = entry.request, let key = entry.key else { continue }
            let destination = store.path(id: entry.placeholder.id, key: key)
            guard
                cache.fetch(
                    PictureCache.contentKey(provider.cacheKeyFields(for: request)), key: key, to: destination,
                    width: request.width, height: request.height)
            else { continue }
            var present = GenerationPlan.Entry(placeholder: entry.placeholder, request: request, key: key, decision: .upToDate)
            present.existingFile = destination
            present.supersededKey = entry.supersededKey
            plan.entries[index] = present
            filled += 1
        }
        return (plan, filled)
    }
}
