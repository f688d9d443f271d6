import Foundation

/// Decides, for every placeholder, whether its picture is already there or must be generated,
/// and what URL the element ends up with.
public struct GenerationPlan: Sendable {
    public enum Decision: Sendable, Equatable {
        /// A valid picture for the current request exists in the store; the element will point at it.
        case upToDate
        /// The element's URL is something wsimg did not make; it stays as it is.
        case keptForeign
        case generate
        /// The element itself is broken (a prompt that is not text, a bad width…).
        case invalid(String)
        /// The element asks for no picture (empty, null or missing prompt), as the web app skips it.
        case skipped(String)
    }

    public struct Entry: Sendable {
        public let placeholder: Placeholder
        public let request: ImageRequest?
        public let key: String?
        public let decision: Decision
        /// For `.upToDate`: the picture's path, in the store or (a link made for another output) elsewhere.
        public var existingFile: String? = nil
        /// For `.keptForeign`: the same relative link, rewritten to resolve from the output's folder.
        public var rebasedURL: String? = nil
        /// For `.upToDate`: the current picture is only in the element's `data:` URL (its file is gone);
        /// a run that links files writes it back into the images folder instead of asking again.
        public var onlyEmbedded = false
        /// The key of a picture of wsimg's that this one replaces (from an embedded picture's mark).
        public var supersededKey: String? = nil
    }

    public internal(set) var entries: [Entry]

    public var jobs: [GenerationJob] {
        entries.compactMap { entry in
            guard entry.decision == .generate, let request = entry.request, let key = entry.key else { return nil }
            return GenerationJob(request: request, key: key)
        }
    }

    /// `inputFolder`: the folder the worksheet's relative links resolve from (nil: the store's link base,
    /// that is, the worksheet is written where it was read).
    public init(
        worksheet: Worksheet, provider: any ImageProvider, options: RequestOptions, store: ImageStore,
        force: Bool, inputFolder: String? = nil
    ) {
        entries = worksheet.placeholders.map { placeholder in
            if let reason = placeholder.skipReason {
                return Entry(placeholder: placeholder, request: nil, key: nil, decision: .skipped(reason))
            }
            if let problem = placeholder.problem {
                return Entry(placeholder: placeholder, request: nil, key: nil, decision: .invalid(problem))
            }
            let request = ImageRequest(placeholder, options: options)
            let key = provider.cacheKey(for: request)
            var entry = Self.decide(placeholder, request: request, key: key, store: store, force: force, source: worksheet.source)
            if entry.decision == .upToDate, !entry.onlyEmbedded { entry.existingFile = store.path(id: placeholder.id, key: key) }
            if entry.decision == .keptForeign, let inputFolder, inputFolder != store.linkBase {
                entry = Self.relink(entry, from: inputFolder, store: store)
            }
            return entry
        }
    }

    /// What to do with one element. Embedded pictures are recognised by their mark whether or not this
    /// run embeds: an edited prompt is generated again, a current one is kept (or linked as a file).
    static func decide(
        _ placeholder: Placeholder, request: ImageRequest, key: String, store: ImageStore, force: Bool, source: WorksheetSource
    ) -> Entry {
        func entry(_ decision: Decision) -> Entry { Entry(placeholder: placeholder, request: request, key: key, decision: decision) }
        let id = placeholder.id
        let url = placeholder.url
        let embeddedKey = url.flatMap { PictureMark.key(inDataURL: $0.head) }
        if force {
            var regenerate = entry(.generate)
            regenerate.supersededKey = embeddedKey
            return regenerate
        }
        let haveFile = PNGValidator.quickCheck(fileAt: store.path(id: id, key: key), width: request.width, height: request.height)
        if url?.isEmpty ?? true || url?.text.map({ store.key(inURL: $0, id: id) != nil }) == true {
            return entry(haveFile ? .upToDate : .generate)
        }
        if let embeddedKey {
            var ours = entry(embeddedKey == key || haveFile ? .upToDate : .generate)
            ours.onlyEmbedded = embeddedKey == key && !haveFile
            if embeddedKey != key { ours.supersededKey = embeddedKey }
            return ours
        }
        if let url, url.hasPrefix(EmbeddedImage.prefix) {
            // Pictures embedded before wsimg marked them: recognised by comparing with the images folder.
            if haveFile { return entry(.upToDate) }
            return entry(EmbeddedImage.isOneOfOurs(url, in: source, id: id, store: store) ? .generate : .keptForeign)
        }
        return entry(.keptForeign)
    }

    /// A relative link in a worksheet written elsewhere (`-o build/out.json`): a picture wsimg made for
    /// this very request is used where it is; one for an older request is generated again; any other
    /// existing file keeps being linked, from the output's folder.
    static func relink(_ entry: Entry, from inputFolder: String, store: ImageStore) -> Entry {
        guard let url = entry.placeholder.url?.text, let request = entry.request, let key = entry.key,
            !url.isEmpty, !url.contains(":"), !url.hasPrefix("/")
        else { return entry }
        let file = Paths.absolute(url, base: inputFolder)
        var relinked = entry
        let name = (file as NSString).lastPathComponent
        if name == ImageStore.fileName(id: entry.placeholder.id, key: key) {
            guard PNGValidator.quickCheck(fileAt: file, width: request.width, height: request.height) else {
                return Entry(placeholder: entry.placeholder, request: request, key: key, decision: .generate)
            }
            relinked = Entry(placeholder: entry.placeholder, request: request, key: key, decision: .upToDate)
            relinked.existingFile = file
        } else if name.hasPrefix(entry.placeholder.id + "-"), name.hasSuffix(".png"),
            CacheKey.isKey(Substring(name.dropFirst(entry.placeholder.id.count + 1).dropLast(4)))
        {
            return Entry(placeholder: entry.placeholder, request: request, key: key, decision: .generate)
        } else if FileManager.default.fileExists(atPath: file) {
            relinked.rebasedURL = Paths.relative(file, from: store.linkBase)
        }
        return relinked
    }
}
