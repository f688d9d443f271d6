import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Turns a run's results into edits of the worksheet: each element with a picture points at it.
package struct WorksheetUpdate {
    package struct Failure: Sendable, Equatable {
        package let id: String
        package let caption: String?
        package let reason: String
        /// False when the image was never tried, or was cut short by a stop of the whole run (an
        /// interruption, a refused key, the deadline): those are counted, not listed one by one.
        package let ownFailure: Bool
    }

    /// What became of one image, for the report.
    package struct Record: Sendable, Equatable {
        package enum Status: String, Sendable { case ok, skipped, failed }
        package let id: String
        package let caption: String?
        package let status: Status
        /// The picture's path, when there is one wsimg made.
        package let file: String?
        package let width: Int?
        package let height: Int?
        package let attempts: Int
        package let duration: Double
        package let error: String?
        /// Why an element was skipped.
        package var note: String? = nil
    }

    package let plan: GenerationPlan
    package let store: ImageStore
    package let embed: Bool
    package private(set) var generatedCount = 0
    package private(set) var upToDateCount = 0
    package private(set) var keptCount = 0
    package private(set) var skippedCount = 0
    package private(set) var failures: [Failure] = []
    package private(set) var records: [Record] = []
    /// Element id → the URL it gets (none: it stays as it is).
    private var newURLs: [String: WorksheetWriter.Link] = [:]

    package var total: Int { plan.entries.count }
    package var changedAny: Bool {
        plan.entries.contains { entry in newURLs[entry.placeholder.id].map { Self.differs($0, from: entry.placeholder.url) } ?? false }
    }

    private static func differs(_ link: WorksheetWriter.Link, from current: WorksheetText?) -> Bool {
        guard case .text(let text) = link else { return true }
        return current?.text != text
    }

    /// `unfinishedReason` is what to say of images whose generation was cut short.
    package init(
        plan: GenerationPlan, results: [GenerationResult], store: ImageStore, embed: Bool,
        unfinishedReason: String = "interrupted"
    ) {
        self.plan = plan
        self.store = store
        self.embed = embed
        // By element and key: an element's --variants are other pictures of the same element.
        let byPicture = Dictionary(results.map { ("\($0.job.request.id)\n\($0.job.key)", $0) }, uniquingKeysWith: { a, _ in a })
        for entry in plan.entries {
            let id = entry.placeholder.id
            let result = entry.key.flatMap { byPicture["\(id)\n\($0)"] }
            var error: String?
            var own = true
            switch entry.decision {
            case .skipped(let reason):
                skippedCount += 1
                var record = record(entry, result: nil, error: nil)
                record.note = reason
                records.append(record)
                continue
            case .invalid(let problem):
                error = problem
            case .keptForeign:
                keptCount += 1
                if let rebased = entry.rebasedURL { newURLs[id] = .text(rebased) }
            case .upToDate:
                upToDateCount += 1
                newURLs[id] = url(for: entry)
            case .generate:
                switch result?.status {
                case .generated?:
                    generatedCount += 1
                    newURLs[id] = url(for: entry)
                case .failed(let reason)?:
                    error = reason.description
                    own = reason.isOwn
                case .interrupted?, nil:
                    error = unfinishedReason
                    own = false
                }
            }
            if let error { failures.append(Failure(id: id, caption: entry.placeholder.caption, reason: error, ownFailure: own)) }
            records.append(record(entry, result: result, error: error))
        }
        recordVariants(results)
    }

    /// `--variants`: the extra pictures of elements are no element's link, but one that failed is a
    /// failure of the run as much as the element's own (a paid request that gave nothing).
    private mutating func recordVariants(_ results: [GenerationResult]) {
        let planned = Set(plan.entries.compactMap(\.key))
        for result in results where !planned.contains(result.job.key) {
            let request = result.job.request
            let caption = plan.entries.first { $0.placeholder.id == request.id }?.placeholder.caption
            let error: String?
            var own = true
            switch result.status {
            case .generated: error = nil
            case .failed(let reason):
                error = reason.description
                own = reason.isOwn
            case .interrupted:
                error = "interrupted"
                own = false
            }
            if let error { failures.append(Failure(id: "\(request.id) (variant seed \(request.seed))", caption: caption, reason: error, ownFailure: own)) }
            records.append(
                Record(
                    id: request.id, caption: caption, status: error == nil ? .ok : .failed,
                    file: error == nil ? result.job.store?.path(id: request.id, key: result.job.key) : nil, width: request.width,
                    height: request.height, attempts: result.attempts, duration: result.duration, error: error,
                    note: "variant, seed \(request.seed)"))
        }
    }

    private func record(_ entry: GenerationPlan.Entry, result: GenerationResult?, error: String?) -> Record {
        let status: Record.Status = error != nil ? .failed : (entry.decision == .generate ? .ok : .skipped)
        let file = entry.key.flatMap { key in
            status != .failed && entry.decision != .keptForeign ? entry.existingFile ?? store.path(id: entry.placeholder.id, key: key) : nil
        }
        return Record(
            id: entry.placeholder.id, caption: entry.placeholder.caption, status: status, file: file,
            width: entry.request?.width, height: entry.request?.height, attempts: result?.attempts ?? 0,
            duration: result?.duration ?? 0, error: error)
    }

    /// The element's new URL; nil leaves it as it is (a current picture that is only embedded, or
    /// embedded already: its mark says it is this very picture, so there is nothing to read or encode).
    private func url(for entry: GenerationPlan.Entry) -> WorksheetWriter.Link? {
        guard let key = entry.key, !entry.onlyEmbedded else { return nil }
        let file = entry.existingFile ?? store.path(id: entry.placeholder.id, key: key)
        guard embed else { return .text(store.url(forFile: file)) }
        if let current = entry.placeholder.url, PictureMark.key(inDataURL: current.head) == key { return nil }
        return access(file, R_OK) == 0 ? .embedded(file: file) : nil
    }

    /// Writes the worksheet with the new URLs to `fd` (`path` names it in errors), streaming; `worksheet`
    /// may be a later version of the one planned (see `sameImages(as:)`): elements are found there by id.
    package func write(_ worksheet: Worksheet, to fd: Int32, path: String) throws(OutputError) {
        let byID = Dictionary(worksheet.placeholders.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var links: [String: WorksheetWriter.Link] = [:]
        for (id, link) in newURLs where byID[id].map({ Self.differs(link, from: $0.url) }) == true { links[id] = link }
        try WorksheetWriter(worksheet: worksheet, links: links).write(to: fd, path: path)
    }

    /// Whether `worksheet` (edited during the run) asks for exactly the pictures this run planned for.
    package func sameImages(as worksheet: Worksheet) -> Bool {
        let planned = plan.entries.map(\.placeholder)
        return worksheet.placeholders.count == planned.count
            && zip(worksheet.placeholders, planned).allSatisfy { edited, old in
                edited.id == old.id && edited.prompt == old.prompt && edited.width == old.width
                    && edited.height == old.height && edited.url == old.url && edited.problem == old.problem
            }
    }

    /// Deletes pictures that the worksheet pointed at before and no longer does (linked as files or
    /// embedded: an embedded picture's mark names its file).
    /// A file another element still links (a copied element) is kept.
    /// Candidates (`manifest`) are kept: only `--prune` deletes them.
    package func removeSupersededFiles(keeping manifest: RedoManifest = RedoManifest()) {
        var linked = Set<String>()
        for entry in plan.entries {
            if case .text(let url)? = newURLs[entry.placeholder.id] { linked.insert(url) } else if let url = entry.placeholder.url?.text { linked.insert(url) }
        }
        for entry in plan.entries {
            guard let old = entry.placeholder.url, let key = entry.key, newURLs[entry.placeholder.id] != nil else { continue }
            if let old = old.text, !linked.contains(old), let own = store.picture(inURL: old), !manifest.lists(path: own.file) {
                store.removeSuperseded(url: old, current: key)
            }
            if let superseded = entry.supersededKey, superseded != key, !linked.contains(store.url(id: entry.placeholder.id, key: superseded)),
                !manifest.lists(path: store.path(id: entry.placeholder.id, key: superseded))
            {
                unlink(store.path(id: entry.placeholder.id, key: superseded))
            }
        }
    }
}
