import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// A plan shown before any work: `wsimg prompts` and `wsimg generate --dry-run`.
package struct PlanListing {
    package let plan: GenerationPlan
    package let store: ImageStore
    package let estimate: CostEstimate?
    /// Which provider (and settings) the statuses are for: a picture made with others is "missing".
    package let providerNote: String
    /// The images folders' record of what each picture was made for, to say why a link is replaced.
    package let manifest: RedoManifest
    /// `--force`: every picture is made again on purpose, so no link is "of other settings".
    package let forced: Bool

    package init(
        plan: GenerationPlan, store: ImageStore, estimate: CostEstimate? = nil, providerNote: String = "", manifest: RedoManifest = RedoManifest(),
        forced: Bool = false
    ) {
        self.plan = plan
        self.store = store
        self.estimate = estimate
        self.providerNote = providerNote
        self.manifest = manifest
        self.forced = forced
    }

    /// Linked pictures of wsimg's the plan replaces, by cause.
    package struct ReplacedLinks: Equatable {
        package var promptChanged = 0
        package var otherSettings = 0
        package var settingNames: [String] = []
        /// Made before pictures' settings were recorded: the cause is not known.
        package var unknown = 0
    }

    package func replacedLinks() -> ReplacedLinks {
        var counts = ReplacedLinks()
        guard !forced else { return counts }
        for entry in plan.entries {
            // A --redo replaces its element's picture on purpose: that link is not one of other settings.
            guard entry.decision == .generate, let request = entry.request, !request.redone,
                let linked = entry.placeholder.url?.text.flatMap({ store.picture(inURL: $0) })
            else { continue }
            let record = manifest.candidates[entry.placeholder.id]?.first { $0.key == linked.key }
            let names = record.map { ProviderSetting.differing(recorded: $0.settings, current: plan.settings) } ?? []
            if let record, record.fingerprint != RedoManifest.fingerprint(of: request) {
                counts.promptChanged += 1
            } else if !names.isEmpty {
                counts.otherSettings += 1
                counts.settingNames += names.filter { !counts.settingNames.contains($0) }
            } else {
                counts.unknown += 1
            }
        }
        return counts
    }

    package enum State: String {
        case missing, present, kept, invalid, skipped
    }

    package func state(_ entry: GenerationPlan.Entry) -> State {
        switch entry.decision {
        case .generate: .missing
        case .upToDate: .present
        case .keptForeign: .kept
        case .invalid: .invalid
        case .skipped: .skipped
        }
    }

    package func size(_ entry: GenerationPlan.Entry) -> String {
        entry.request.map { "\($0.width)×\($0.height)" } ?? "-"
    }

    package func file(_ entry: GenerationPlan.Entry) -> String? {
        entry.existingFile.map(store.url(forFile:)) ?? entry.key.map { store.url(id: entry.placeholder.id, key: $0) }
    }

    /// `wsimg prompts`: each image request, its normalised size, caption and prompt, and whether a picture exists.
    package func promptsText() -> String {
        var lines = plan.entries.enumerated().map { index, entry -> String in
            let placeholder = entry.placeholder
            // `#N`, as every command takes it (`ElementHandle`), beside the id.
            var head = ["#\(index + 1)".padded(4), placeholder.id.padded(6), size(entry).padded(10), state(entry).rawValue.padded(8)]
            if let caption = placeholder.caption, !caption.isEmpty { head.append("\"\(TerminalText.line(caption))\"") }
            var text = head.joined(separator: " ")
            if case .invalid(let problem) = entry.decision { text += "  (\(TerminalText.line(problem)))" }
            if case .skipped(let reason) = entry.decision { text += "  (\(reason): not generated, as in the web app)" }
            return text + "\n" + String(repeating: " ", count: 32) + TerminalText.line(placeholder.prompt)
        }
        lines.append(totals)
        lines += closingLines
        return lines.joined(separator: "\n") + "\n"
    }

    /// The cost of what is missing, and what "present" and "missing" were measured against.
    package var closingLines: [String] {
        var lines: [String] = []
        if let estimate, !plan.jobs.isEmpty { lines.append("To generate: " + estimate.line) }
        let orphans = plan.orphans(in: store)
        if !orphans.isEmpty {
            let folder = (store.urlPrefix.isEmpty ? "the images folder" : store.urlPrefix + "/")
            lines.append(
                "\(orphans.count) picture\(orphans.count == 1 ? "" : "s") in \(TerminalText.line(folder)) belong\(orphans.count == 1 ? "s" : "") to no element (a deleted element, an old prompt): `wsimg generate --prune` deletes \(orphans.count == 1 ? "it" : "them").")
        }
        if !providerNote.isEmpty {
            let replaced = replacedLinks()
            func pictures(_ count: Int) -> String { count == 1 ? "1 linked picture was" : "\(count) linked pictures were" }
            var notes: [String] = []
            if replaced.promptChanged > 0 { notes.append("\(pictures(replaced.promptChanged)) made for an earlier prompt or size") }
            if replaced.otherSettings > 0 {
                notes.append("\(pictures(replaced.otherSettings)) made with other settings (\(replaced.settingNames.joined(separator: ", ")))")
            }
            if replaced.unknown > 0 { notes.append("\(pictures(replaced.unknown)) made for another prompt, size or settings") }
            lines.append("Statuses are for \(providerNote)" + notes.map { "; " + $0 }.joined() + ".")
        }
        return lines
    }

    /// `wsimg generate --dry-run`: what a run with these options would do.
    package func dryRunText() -> String {
        var lines = plan.entries.map { entry -> String in
            let id = entry.placeholder.id.padded(6)
            switch entry.decision {
            case .generate:
                return "generate \(id) \(size(entry).padded(10)) \"\(TerminalText.line(entry.request?.label ?? ""))\""
            case .upToDate:
                return "skip     \(id) \(size(entry).padded(10)) present: \(file(entry) ?? "")"
            case .keptForeign:
                return "keep     \(id) \(size(entry).padded(10)) its url was not made by wsimg (--force replaces it)"
            case .invalid(let problem):
                return "invalid  \(id) \(TerminalText.line(problem))"
            case .skipped(let reason):
                return "skip     \(id) \(reason)"
            }
        }
        lines.append("Would generate \(count(.missing)) of \(plan.entries.count) images; nothing was changed or sent.")
        lines += closingLines
        return lines.joined(separator: "\n") + "\n"
    }

    package func json() -> String {
        let items = plan.entries.enumerated().map { number, entry -> String in
            let placeholder = entry.placeholder
            var fields = [
                #""id": \#(JSONWriter.quoted(placeholder.id))"#,
                #""number": \#(number + 1)"#,
                #""position": \#(JSONWriter.quoted(placeholder.position))"#,
                #""width": \#(entry.request.map { String($0.width) } ?? "null")"#,
                #""height": \#(entry.request.map { String($0.height) } ?? "null")"#,
                #""caption": \#(placeholder.caption.map(JSONWriter.quoted) ?? "null")"#,
                #""prompt": \#(JSONWriter.quoted(placeholder.prompt))"#,
                #""promptSent": \#(entry.request.map { JSONWriter.quoted($0.promptToSend) } ?? "null")"#,
                #""status": "\#(state(entry).rawValue)""#,
                #""file": \#(file(entry).map(JSONWriter.quoted) ?? "null")"#,
            ]
            if case .invalid(let problem) = entry.decision { fields.append(#""problem": \#(JSONWriter.quoted(problem))"#) }
            if case .skipped(let reason) = entry.decision { fields.append(#""skipped": \#(JSONWriter.quoted(reason))"#) }
            return "  {" + fields.joined(separator: ", ") + "}"
        }
        return "[\n" + items.joined(separator: ",\n") + "\n]\n"
    }

    private func count(_ state: State) -> Int { plan.entries.filter { self.state($0) == state }.count }

    private var totals: String {
        "\(plan.entries.count) images: \(count(.present)) present, \(count(.missing)) to generate"
            + (count(.kept) > 0 ? ", \(count(.kept)) with a url wsimg did not make" : "")
            + (count(.invalid) > 0 ? ", \(count(.invalid)) invalid" : "")
            + (count(.skipped) > 0 ? ", \(count(.skipped)) skipped (no prompt)" : "")
    }
}

extension String {
    package func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
