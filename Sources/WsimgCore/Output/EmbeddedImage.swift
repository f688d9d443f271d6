import Foundation

/// `data:image/png;base64,…` URLs, as the web app writes them.
public enum EmbeddedImage {
    public static let prefix = "data:image/png;base64,"

    public static func url(for png: [UInt8]) -> String { prefix + Base64.encode(png) }

    /// Whether an embedded picture is one wsimg wrote for element `id` (its bytes match one of the store's files).
    static func isOneOfOurs(_ url: WorksheetText, in source: WorksheetSource, id: String, store: ImageStore) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: store.directory) else { return false }
        let candidates = names.filter { $0.hasPrefix(id + "-") && $0.hasSuffix(".png") }
        guard !candidates.isEmpty, let whole = source.string(url) else { return false }
        let embedded = whole.dropFirst(prefix.count)
        for name in candidates {
            if let data = FileManager.default.contents(atPath: store.directory + "/" + name),
                Base64.encode(Array(data)) == embedded
            {
                return true
            }
        }
        return false
    }
}

extension GenerationPlan {
    /// For a run that links files: writes the pictures that are only in their elements' `data:` URLs
    /// back into the images folder (no request); one that cannot be written back is generated again.
    public func extractingEmbedded(from source: WorksheetSource, into store: ImageStore) -> GenerationPlan {
        var plan = self
        for index in plan.entries.indices where plan.entries[index].onlyEmbedded {
            let entry = plan.entries[index]
            guard let key = entry.key, let request = entry.request, let url = entry.placeholder.url else { continue }
            if let whole = source.string(url), let png = Base64.decode(whole.dropFirst(EmbeddedImage.prefix.count)), (try? PNGValidator.validate(png, width: request.width, height: request.height)) != nil,
                (try? store.write(png, id: entry.placeholder.id, key: key)) != nil
            {
                plan.entries[index].onlyEmbedded = false
                plan.entries[index].existingFile = store.path(id: entry.placeholder.id, key: key)
            } else {
                plan.entries[index] = Entry(placeholder: entry.placeholder, request: request, key: key, decision: .generate)
            }
        }
        return plan
    }
}
