import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// `data:image/png;base64,…` URLs, as the web app writes them.
package enum EmbeddedImage {
    package static let prefix = PictureMark.dataURLPrefix

    package static func url(for png: [UInt8]) -> String { prefix + Base64.encode(png) }

    package enum Decoded: Equatable {
        case picture([UInt8])
        case tooLarge
        case notBase64
    }

    /// The picture in a `data:` URL (any media type), decoded from its bytes: a long URL is read
    /// from the worksheet file and never becomes a Swift string. Pictures over 64 MiB are refused.
    package static func decode(_ url: WorksheetText, in source: WorksheetSource) -> Decoded {
        guard let bytes = source.contentBytes(url) else { return .tooLarge }
        guard let comma = bytes.firstIndex(of: UInt8(ascii: ",")),
            let picture = bytes[(comma + 1)...].withUnsafeBytes({ Base64.decode($0) })
        else { return .notBase64 }
        return .picture(picture)
    }

    /// Whether an embedded picture is one wsimg wrote for element `id` (its bytes match one of the store's files).
    package static func isOneOfOurs(_ url: WorksheetText, in source: WorksheetSource, id: String, store: ImageStore) -> Bool {
        guard let names = try? FileSystem.contentsOfDirectory(atPath: store.directory) else { return false }
        let candidates = names.filter { $0.hasPrefix(id + "-") && $0.hasSuffix(".png") }
        guard !candidates.isEmpty, case .picture(let embedded) = decode(url, in: source) else { return false }
        return candidates.contains { name in
            (try? RegularFile.read(store.directory + "/" + name, limit: 256 << 20, followLinks: false)) == embedded
        }
    }
}

extension GenerationPlan {
    /// For a run that links files: writes the pictures that are only in their elements' `data:` URLs
    /// back into the images folder (no request); one that cannot be written back is generated again.
    package func extractingEmbedded(from source: WorksheetSource, into store: ImageStore) -> GenerationPlan {
        var plan = self
        for index in plan.entries.indices where plan.entries[index].onlyEmbedded {
            let entry = plan.entries[index]
            guard let key = entry.key, let request = entry.request, let url = entry.placeholder.url else { continue }
            if case .picture(let png) = EmbeddedImage.decode(url, in: source), (try? PNGValidator.validate(png, width: request.width, height: request.height)) != nil,
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
