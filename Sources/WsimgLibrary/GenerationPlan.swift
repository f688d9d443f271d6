import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Decides, for every placeholder, whether its picture is already there or must be generated,
/// and what URL the element ends up with.
package struct GenerationPlan: Sendable {
    package enum Decision: Sendable, Equatable {
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

    package struct Entry: Sendable {
        package let placeholder: Placeholder
        package let request: ImageRequest?
        package let key: String?
        package let decision: Decision
        /// For `.upToDate`: the picture's path, in the store or (a link made for another output) elsewhere.
        package var existingFile: String? = nil
        /// For `.keptForeign`: the same relative link, rewritten to resolve from the output's folder.
        package var rebasedURL: String? = nil
        /// For `.upToDate`: the current picture is only in the element's `data:` URL (its file is gone);
        /// a run that links files writes it back into the images folder instead of asking again.
        package var onlyEmbedded = false
        /// The key of a picture of wsimg's that this one replaces (from an embedded picture's mark).
        package var supersededKey: String? = nil
    }

    package internal(set) var entries: [Entry]
    /// Pictures that are candidates of their element's current request (see `RedoManifest`): not orphans.
    package var candidatePaths: Set<String> = []
    /// The provider's settings the plan's pictures are made with, recorded with each candidate.
    package var settings: [ProviderSetting] = []

    package var jobs: [GenerationJob] {
        entries.compactMap { entry in
            guard entry.decision == .generate, let request = entry.request, let key = entry.key else { return nil }
            return GenerationJob(request: request, key: key)
        }
    }

    /// Entries of plans taken together (the grand total over several worksheets).
    package init(entries: [Entry]) {
        self.entries = entries
    }

    /// `inputFolder`: the folder the worksheet's relative links resolve from (nil: the store's link base,
    /// that is, the worksheet is written where it was read). `pictureFolders`: images folders besides the
    /// store whose pictures may be linked (the input worksheet's, for a run that writes elsewhere).
    package init(
        worksheet: Worksheet, provider: any ImageProvider, options: RequestOptions, store: ImageStore,
        force: Bool, inputFolder: String? = nil, pictureFolders: [String] = []
    ) {
        settings = provider.settings
        // The pictures by key, looked up once: a picture is its key's, whatever name it has. The store's first.
        var picturesByKey: [String: String] = [:]
        for folder in [store.directory] + pictureFolders {
            for name in (try? FileSystem.contentsOfDirectory(atPath: folder)) ?? [] where !name.hasPrefix(".") {
                if let key = ImageStore.key(inFileName: name), picturesByKey[key] == nil { picturesByKey[key] = folder + "/" + name }
            }
        }
        entries = worksheet.placeholders.map { placeholder in
            if let reason = placeholder.skipReason {
                return Entry(placeholder: placeholder, request: nil, key: nil, decision: .skipped(reason))
            }
            if let problem = placeholder.problem {
                return Entry(placeholder: placeholder, request: nil, key: nil, decision: .invalid(problem))
            }
            let request = ImageRequest(placeholder, options: options)
            let key = provider.cacheKey(for: request)
            var entry = Self.decide(
                placeholder, request: request, key: key, store: store, force: force, source: worksheet.source,
                linksFrom: inputFolder ?? store.linkBase)
            // Made already under another name (an element that moved, in a worksheet named by position): linked, no request.
            if entry.decision == .generate, !force, entry.supersededKey == nil, let other = picturesByKey[key],
                PNGValidator.quickCheck(fileAt: other, width: request.width, height: request.height)
            {
                entry = Entry(placeholder: placeholder, request: request, key: key, decision: .upToDate)
                entry.existingFile = other
            }
            if entry.decision == .upToDate, !entry.onlyEmbedded, entry.existingFile == nil { entry.existingFile = store.path(id: placeholder.id, key: key) }
            if entry.decision == .keptForeign, let inputFolder, inputFolder != store.linkBase {
                entry = Self.relink(entry, from: inputFolder, store: store)
            }
            return entry
        }
    }

    /// What to do with one element. wsimg's own pictures are recognised by their key — in the file
    /// name and marked inside — wherever they are linked, never by the element's name or position:
    /// a picture made for another request (an edited prompt, a copied element) is generated again
    /// (or the right one linked, when it exists), and a current one stays linked where it is.
    /// Embedded pictures are recognised by their mark whether or not this run embeds.
    package static func decide(
        _ placeholder: Placeholder, request: ImageRequest, key: String, store: ImageStore, force: Bool, source: WorksheetSource,
        linksFrom folder: String
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
        if url?.isEmpty ?? true { return entry(haveFile ? .upToDate : .generate) }
        if let text = url?.text, let own = store.picture(inURL: text) ?? ImageStore.picture(atLink: text, from: folder) {
            if own.key == key, PNGValidator.quickCheck(fileAt: own.file, width: request.width, height: request.height) {
                var current = entry(.upToDate)
                current.existingFile = own.file
                return current
            }
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

    /// A relative link that wsimg did not make, in a worksheet written elsewhere (`-o build/out.json`):
    /// an existing file keeps being linked, from the output's folder. (wsimg's own pictures were
    /// recognised by `decide`, wherever they are.)
    package static func relink(_ entry: Entry, from inputFolder: String, store: ImageStore) -> Entry {
        guard let url = entry.placeholder.url?.text, !url.isEmpty, !url.contains(":"), !url.hasPrefix("/") else { return entry }
        let file = Paths.absolute(url, base: inputFolder)
        var relinked = entry
        if FileSystem.fileExists(atPath: file) { relinked.rebasedURL = Paths.relative(file, from: store.linkBase) }
        return relinked
    }
}

extension GenerationPlan {
    /// Pictures in `store` (named as wsimg names them) that no element of the worksheet uses: not
    /// linked, and not the current picture of any element. `--prune` deletes them; nothing else does.
    package func orphans(in store: ImageStore) -> [String] {
        guard let names = try? FileSystem.contentsOfDirectory(atPath: store.directory) else { return [] }
        var used = candidatePaths
        for entry in entries {
            if let file = entry.existingFile { used.insert(file) }
            if let key = entry.key { used.insert(store.path(id: entry.placeholder.id, key: key)) }
            if let url = entry.placeholder.url?.text, let own = store.picture(inURL: url) { used.insert(own.file) }
            if let marked = entry.placeholder.url.flatMap({ PictureMark.key(inDataURL: $0.head) }) {
                used.insert(store.path(id: entry.placeholder.id, key: marked))
            }
        }
        return names.filter { !$0.hasPrefix(".") && ImageStore.key(inFileName: $0) != nil }.map { store.directory + "/" + $0 }
            .filter { !used.contains($0) }.sorted()
    }
}

extension GenerationPlan {
    /// Every picture this plan links, or that its run made (`results`: the element's own and its
    /// `--variants`), as candidates of their elements, with when each file was written. Only pictures
    /// in `folders` (the run's images folders) are listed; embedded-only pictures have no file to list.
    package func madeCandidates(results: [GenerationResult] = [], in folders: [String], only ids: Set<String>? = nil) -> [(id: String, candidate: Candidate)] {
        var found: [(id: String, candidate: Candidate)] = []
        func add(_ id: String, _ request: ImageRequest, key: String, file: String) {
            guard ids?.contains(id) ?? true, folders.contains(Paths.folder(of: file)) else { return }
            // A regular file, not a link someone put there.
            var info = stat()
            guard lstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return }
            let created = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec / 1_000_000) / 1000
            var candidate = Candidate(request: request, key: key, file: (file as NSString).lastPathComponent, created: created)
            candidate.folder = Paths.folder(of: file)
            candidate.settings = Dictionary(settings.map { ($0.name, $0.value) }) { $1 }
            found.append((id, candidate))
        }
        let made = Set(results.filter { $0.status == .generated }.map(\.job.key))
        for entry in entries where entry.decision == .upToDate || entry.decision == .generate {
            guard let request = entry.request, let key = entry.key, !entry.onlyEmbedded else { continue }
            // A file of the key that was to be made again (damaged, say) counts only once this run made it.
            if entry.decision == .generate, !made.contains(key) { continue }
            add(entry.placeholder.id, request, key: key, file: entry.existingFile ?? Paths.absolute(ImageStore.fileName(id: entry.placeholder.id, key: key), base: folders[0]))
        }
        for result in results where result.status == .generated && !entries.contains(where: { $0.key == result.job.key }) {
            let job = result.job
            guard let store = job.store else { continue }
            add(job.request.id, job.request, key: job.key, file: store.path(id: job.request.id, key: job.key))
        }
        return found
    }

    /// This plan, knowing which pictures are candidates of their elements' current requests in `manifest`.
    package func knowing(_ manifest: RedoManifest) -> GenerationPlan {
        var plan = self
        for entry in entries {
            guard let request = entry.request else { continue }
            for candidate in manifest.candidates(of: entry.placeholder.id, fingerprint: RedoManifest.fingerprint(of: request)) {
                plan.candidatePaths.insert(candidate.path)
            }
        }
        return plan
    }
}
