import Foundation

/// `wsimg preview`: one self-contained HTML page (no external assets, works from file://) showing
/// every image element in worksheet order, grouped by page: the picture, or a clear box saying why
/// there is none, with its id, caption, size and prompt.
public struct PreviewPage {
    public enum Picture: Equatable {
        case png([UInt8])
        case missing(String)
        case invalid(String)
        case skipped(String)
    }

    public struct Item {
        public let placeholder: Placeholder
        public let picture: Picture
    }

    public let title: String
    public let items: [Item]

    /// Finds each element's picture: a `data:` URL, or a file relative to `folder`, fully validated.
    public init(worksheet: Worksheet, folder: String, title: String) {
        self.title = title
        items = worksheet.placeholders.map { Item(placeholder: $0, picture: Self.picture(for: $0, in: worksheet.source, folder: folder)) }
    }

    static func picture(for placeholder: Placeholder, in source: WorksheetSource, folder: String) -> Picture {
        if let reason = placeholder.skipReason { return .skipped(reason) }
        if let problem = placeholder.problem { return .invalid(problem) }
        guard let text = placeholder.url, !text.isEmpty else { return .missing("not generated yet") }
        guard let url = source.string(text) else { return .invalid("the embedded picture is larger than 64 MiB") }
        let bytes: [UInt8]
        if url.hasPrefix("data:") {
            guard let comma = url.firstIndex(of: ","), let decoded = Base64.decode(url[url.index(after: comma)...]) else {
                return .invalid("the data: URL is not valid base64")
            }
            bytes = decoded
        } else if url.contains("://") {
            return .missing("\(url) is not on this machine, so this offline page cannot show it")
        } else {
            do {
                bytes = try RegularFile.read(Paths.absolute(url, base: folder), limit: 64 << 20)
            } catch {
                return .missing("\(url): \(error)")
            }
        }
        do {
            let png = try ImageConverter.png(from: bytes)
            let header = try PNGValidator.header(of: png)
            try PNGValidator.validate(png, width: header.width, height: header.height)
            return .png(png)
        } catch {
            return .invalid("\(url.hasPrefix("data:") ? "the embedded picture" : url): \(error)")
        }
    }

    public var counts: (shown: Int, missing: Int) {
        let shown = items.filter { if case .png = $0.picture { true } else { false } }.count
        let skipped = items.filter { if case .skipped = $0.picture { true } else { false } }.count
        return (shown, items.count - shown - skipped)
    }

    public var html: String {
        var pages: [(Int, [Item])] = []
        for item in items {
            let page = Int(item.placeholder.id.prefix(while: { $0 != "-" })) ?? 0
            if pages.last?.0 == page { pages[pages.count - 1].1.append(item) } else { pages.append((page, [item])) }
        }
        let body = pages.map { page, items in
            "<section><h2>Page \(page + 1)</h2>\n" + items.map(card).joined(separator: "\n") + "\n</section>"
        }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(title)) — pictures</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2rem;background:#f6f6f4;color:#222}
            section{margin-bottom:2rem}
            .card{display:flex;gap:1rem;background:#fff;border:1px solid #ddd;border-radius:8px;padding:1rem;margin:.75rem 0}
            .card img{max-width:360px;height:auto;border:1px solid #ccc}
            .box{width:360px;min-height:120px;display:flex;align-items:center;justify-content:center;text-align:center;
            border:2px dashed #c33;color:#a22;padding:.5rem;box-sizing:border-box}
            .box.skipped{border-color:#999;color:#666}
            .meta code{background:#eee;padding:0 .25rem}
            .prompt{white-space:pre-wrap;color:#444}
            </style></head>
            <body>
            <h1>\(Self.escape(title))</h1>
            <p id="summary">\(counts.shown) of \(items.count) pictures\(counts.missing > 0 ? ", \(counts.missing) missing or invalid" : "")</p>
            \(body)
            <script>
            addEventListener('load', function () {
              var images = Array.prototype.slice.call(document.querySelectorAll('img'));
              var rendered = images.filter(function (img) { return img.complete && img.naturalWidth > 0; }).length;
              document.body.setAttribute('data-rendered', rendered + '/' + images.length);
            });
            </script>
            </body></html>

            """
    }

    func card(_ item: Item) -> String {
        let placeholder = item.placeholder
        let picture: String
        switch item.picture {
        case .png(let png):
            let header = try? PNGValidator.header(of: png)
            picture = #"<img alt="\#(Self.escape(placeholder.caption ?? placeholder.prompt))" width="\#(header?.width ?? 0)" height="\#(header?.height ?? 0)" src="data:image/png;base64,\#(Base64.encode(png))">"#
        case .missing(let why): picture = #"<div class="box">missing: \#(Self.escape(why))</div>"#
        case .invalid(let why): picture = #"<div class="box">invalid: \#(Self.escape(why))</div>"#
        case .skipped(let why): picture = #"<div class="box skipped">no picture: \#(Self.escape(why))</div>"#
        }
        let size =
            placeholder.skipReason == nil
            ? "\(placeholder.width)×\(placeholder.height) (generated at \(SizeRules.normalise(placeholder.width))×\(SizeRules.normalise(placeholder.height)))" : ""
        return """
            <div class="card" id="img-\(Self.escape(placeholder.id))">\(picture)
            <div class="meta"><p><code>\(Self.escape(placeholder.id))</code> \(Self.escape(placeholder.caption ?? ""))</p>
            <p>\(size)</p><p class="prompt">\(Self.escape(placeholder.prompt))</p></div></div>
            """
    }

    /// Text made safe for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
