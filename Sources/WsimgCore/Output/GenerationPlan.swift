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
    }

    public let entries: [Entry]

    public var jobs: [GenerationJob] {
        entries.compactMap { entry in
            guard entry.decision == .generate, let request = entry.request, let key = entry.key else { return nil }
            return GenerationJob(request: request, key: key)
        }
    }

    /// `inputFolder`: the folder the worksheet's relative links resolve from (nil: the store's link base,
    /// that is, the worksheet is written where it was read).
    public init(worksheet: Worksheet, provider: any ImageProvider, options: RequestOptions, store: ImageStore,
                embed: Bool, force: Bool, inputFolder: String? = nil) {
        entries = worksheet.placeholders.map { placeholder in
            if let reason = placeholder.skipReason {
                return Entry(placeholder: placeholder, request: nil, key: nil, decision: .skipped(reason))
            }
            if let problem = placeholder.problem {
                return Entry(placeholder: placeholder, request: nil, key: nil, decision: .invalid(problem))
            }
            let request = ImageRequest(placeholder, options: options)
            let key = provider.cacheKey(for: request)
            var entry = Entry(placeholder: placeholder, request: request, key: key,
                              decision: Self.decide(placeholder, request: request, key: key, store: store, embed: embed, force: force))
            if entry.decision == .upToDate { entry.existingFile = store.path(id: placeholder.id, key: key) }
            if entry.decision == .keptForeign, let inputFolder, inputFolder != store.linkBase {
                entry = Self.relink(entry, from: inputFolder, store: store)
            }
            return entry
        }
    }

    static func decide(_ placeholder: Placeholder, request: ImageRequest, key: String, store: ImageStore,
                       embed: Bool, force: Bool) -> Decision {
        if force { return .generate }
        let id = placeholder.id
        let haveFile = PNGValidator.quickCheck(fileAt: store.path(id: id, key: key), width: request.width, height: request.height)
        let url = placeholder.url ?? ""
        if url.isEmpty || store.key(inURL: url, id: id) != nil {
            return haveFile ? .upToDate : .generate
        }
        if embed, url.hasPrefix(EmbeddedImage.prefix) {
            if haveFile { return .upToDate }
            return EmbeddedImage.isOneOfOurs(url, id: id, store: store) ? .generate : .keptForeign
        }
        return .keptForeign
    }

    /// A relative link in a worksheet written elsewhere (`-o build/out.json`): a picture wsimg made for
    /// this very request is used where it is; one for an older request is generated again; any other
    /// existing file keeps being linked, from the output's folder.
    static func relink(_ entry: Entry, from inputFolder: String, store: ImageStore) -> Entry {
        guard let url = entry.placeholder.url, let request = entry.request, let key = entry.key,
              !url.isEmpty, !url.contains(":"), !url.hasPrefix("/") else { return entry }
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
                  CacheKey.isKey(Substring(name.dropFirst(entry.placeholder.id.count + 1).dropLast(4))) {
            return Entry(placeholder: entry.placeholder, request: request, key: key, decision: .generate)
        } else if FileManager.default.fileExists(atPath: file) {
            relinked.rebasedURL = Paths.relative(file, from: store.linkBase)
        }
        return relinked
    }
}

/// `data:image/png;base64,…` URLs, as the web app writes them.
public enum EmbeddedImage {
    public static let prefix = "data:image/png;base64,"

    public static func url(for png: [UInt8]) -> String { prefix + Base64.encode(png) }

    /// Whether an embedded picture is one wsimg wrote for element `id` (its bytes match one of the store's files).
    static func isOneOfOurs(_ url: String, id: String, store: ImageStore) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: store.directory) else { return false }
        let embedded = url.dropFirst(prefix.count)
        for name in names where name.hasPrefix(id + "-") && name.hasSuffix(".png") {
            if let data = FileManager.default.contents(atPath: store.directory + "/" + name),
               Base64.encode(Array(data)) == embedded { return true }
        }
        return false
    }
}
