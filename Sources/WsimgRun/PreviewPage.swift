import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// `wsimg preview`: one self-contained HTML page (no external assets, works from file://) showing
/// every image element in worksheet order, grouped by page: the picture, or a clear box saying why
/// there is none, with its id, caption, size and prompt, and under it the element's other candidates,
/// each with the command that picks it. Several worksheets make one page, a section each.
///
/// Pictures are checked one at a time and read again as the page is written, so a worksheet with
/// hundreds of embedded pictures costs one picture's memory, not the page's.
package struct PreviewPage {
    package enum Picture: Equatable {
        /// A valid picture, from an element's `data:` URL or from a file.
        case png(width: Int, height: Int, from: Origin)
        case missing(String)
        case invalid(String)
        case skipped(String)
    }

    package enum Origin: Equatable {
        case embedded(WorksheetText)
        case file(String)
    }

    /// One of an element's candidates (`wsimg candidates` numbers them), shown small under its picture.
    package struct Choice: Equatable {
        package let number: Int
        package let path: String
        package let linked: Bool
    }

    package struct Item {
        package let placeholder: Placeholder
        package let picture: Picture
        package var choices: [Choice] = []
    }

    /// One worksheet's part of the page.
    package struct Sheet {
        package let title: String
        /// How `wsimg pick` names the worksheet.
        package let name: String
        package let items: [Item]
        package let source: WorksheetSource
    }

    package let title: String
    /// The page's language (`lang`), from the worksheet's `metadata.language`.
    package var language = "en"
    package let sheets: [Sheet]
    package var items: [Item] { sheets.flatMap(\.items) }

    /// Finds each element's picture: a `data:` URL, or a file relative to `folder` inside
    /// `imagesFolder` (any file when nil), fully validated. `candidates`: the manifest whose pictures
    /// (inside `imagesFolder`) are shown as the elements' other candidates; `name`, how to name the
    /// worksheet in `wsimg pick` commands.
    package init(
        worksheet: Worksheet, folder: String, title: String, imagesFolder: String? = nil, candidates: RedoManifest = RedoManifest(),
        name: String = "WORKSHEET"
    ) {
        self.title = title
        sheets = [Self.sheet(worksheet, folder: folder, title: title, imagesFolder: imagesFolder, candidates: candidates, name: name)]
    }

    /// Several worksheets on one page.
    package init(title: String, sheets: [Sheet]) {
        self.title = title
        self.sheets = sheets
    }

    package static func sheet(
        _ worksheet: Worksheet, folder: String, title: String, imagesFolder: String?, candidates: RedoManifest, name: String
    ) -> Sheet {
        let inside = imagesFolder.map { WorksheetFile.target(of: $0) }
        let items = worksheet.placeholders.map { placeholder in
            var item = Item(placeholder: placeholder, picture: Self.picture(for: placeholder, in: worksheet.source, folder: folder, imagesFolder: inside))
            item.choices = Self.choices(of: placeholder, picture: item.picture, in: candidates, inside: inside)
            return item
        }
        return Sheet(title: title, name: name, items: items, source: worksheet.source)
    }

    /// The element's candidates for its prompt and size as it is (sent enhanced or not), when there
    /// is more than one; only files inside the images folder.
    package static func choices(of placeholder: Placeholder, picture: Picture, in manifest: RedoManifest, inside: String?) -> [Choice] {
        guard placeholder.skipReason == nil, placeholder.problem == nil else { return [] }
        let list =
            RedoManifest.fingerprints(of: placeholder).map { manifest.candidates(of: placeholder.id, fingerprint: $0) }.max { $0.count < $1.count } ?? []
        guard list.count > 1 else { return [] }
        let shown: String? = if case .png(_, _, .file(let path)) = picture { WorksheetFile.target(of: path) } else { nil }
        let linkedKey = placeholder.url.flatMap { PictureMark.key(inDataURL: $0.head) }
        return list.enumerated().compactMap { index, candidate in
            let path = WorksheetFile.target(of: candidate.path)
            if let inside, !path.hasPrefix(inside + "/") { return nil }
            return Choice(number: index + 1, path: candidate.path, linked: path == shown || candidate.key == linkedKey)
        }
    }

    package static func picture(for placeholder: Placeholder, in source: WorksheetSource, folder: String, imagesFolder: String? = nil) -> Picture {
        if let reason = placeholder.skipReason { return .skipped(reason) }
        if let problem = placeholder.problem { return .invalid(problem) }
        guard let text = placeholder.url, !text.isEmpty else { return .missing("not generated yet") }
        let origin: Origin
        let url = text.text ?? text.head
        if text.hasPrefix("data:") {
            origin = .embedded(text)
        } else if text.isLong {
            return .invalid("the url is longer than \(JSONScanner.textLimit >> 10) KiB and not a data: URL")
        } else if url.contains("://") {
            return .missing("\(url) is not on this machine, so this offline page cannot show it")
        } else {
            let path = Paths.absolute(url, base: folder)
            // Resolved, so a link inside the folder cannot bring in a file from elsewhere.
            if let imagesFolder, !WorksheetFile.target(of: path).hasPrefix(imagesFolder + "/") {
                return .missing("\(url) is not in the worksheet's images folder, so it is not included in a page meant for sharing (--images-dir names another folder)")
            }
            origin = .file(path)
        }
        do {
            let png = try png(from: origin, in: source)
            let header = try PNGValidator.header(of: png)
            // No picture wsimg makes is larger: a huge one is not decoded (it would cost gigabytes).
            guard header.width <= SizeRules.maximumSide, header.height <= SizeRules.maximumSide else {
                return .invalid("\(url.hasPrefix("data:") ? "the embedded picture" : url) is \(header.width)×\(header.height), larger than any picture wsimg makes (\(SizeRules.maximumSide) a side); not decoded")
            }
            try PNGValidator.validate(png, width: header.width, height: header.height)
            return .png(width: header.width, height: header.height, from: origin)
        } catch let problem as PictureProblem {
            return problem.picture(url: url)
        } catch {
            return .invalid("\(url.hasPrefix("data:") ? "the embedded picture" : url): \(error)")
        }
    }

    private enum PictureProblem: Error {
        case notBase64
        case tooLarge
        case unreadable(String)

        package func picture(url: String) -> Picture {
            switch self {
            case .notBase64: .invalid("the data: URL is not valid base64")
            case .tooLarge: .invalid("the embedded picture is larger than 64 MiB")
            case .unreadable(let why): .missing("\(url): \(why)")
            }
        }
    }

    /// The picture's bytes as a PNG (a JPEG is converted).
    private static func png(from origin: Origin, in source: WorksheetSource) throws -> [UInt8] {
        let bytes: [UInt8]
        switch origin {
        case .embedded(let text):
            switch EmbeddedImage.decode(text, in: source) {
            case .picture(let decoded): bytes = decoded
            case .tooLarge: throw PictureProblem.tooLarge
            case .notBase64: throw PictureProblem.notBase64
            }
        case .file(let path):
            do {
                bytes = try RegularFile.read(path, limit: 64 << 20)
            } catch {
                throw PictureProblem.unreadable(error.description)
            }
        }
        return try ImageConverter.png(from: bytes)
    }

    package var counts: (shown: Int, missing: Int) {
        let shown = items.filter { if case .png = $0.picture { true } else { false } }.count
        let skipped = items.filter { if case .skipped = $0.picture { true } else { false } }.count
        return (shown, items.count - shown - skipped)
    }

    /// Writes the page to `fd`, a card at a time; `path` names it in errors.
    package func write(to fd: Int32, path: String) throws(OutputError) {
        func put(_ text: String) throws(OutputError) {
            if let failure = Array(text.utf8).withUnsafeBytes({ AtomicFile.writeAll($0, to: fd) }) { throw .cannotWrite(path: path, reason: failure) }
        }
        try put(head)
        for sheet in sheets {
            if sheets.count > 1 {
                try put(#"<article class="worksheet"><h2 class="sheet">\#(Self.escape(sheet.title)) <code>\#(Self.escape(sheet.name))</code></h2>"# + "\n")
            }
            var page: Int?
            for item in sheet.items {
                let number = Int(item.placeholder.position.prefix(while: { $0 != "-" })) ?? 0
                if number != page {
                    try put((page == nil ? "" : "\n</section>\n") + "<section><h3>Page \(number + 1)</h3>\n")
                    page = number
                }
                try put(card(item, in: sheet) + "\n")
            }
            try put((page == nil ? "" : "</section>\n") + (sheets.count > 1 ? "</article>\n" : ""))
        }
        try put(Self.tail)
    }

    private var head: String {
        """
        <!DOCTYPE html>
        <html lang="\(Self.escape(language))"><head><meta charset="utf-8">
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
        .candidates{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.5rem}
        .candidates figure{margin:0;font-size:.8rem}
        .candidates img{max-width:160px;height:auto;border:1px solid #ccc}
        .candidates .linked img{outline:3px solid #2a7}
        </style></head>
        <body>
        <h1>\(Self.escape(title))</h1>
        <p id="summary">\(counts.shown) of \(items.count) pictures\(counts.missing > 0 ? ", \(counts.missing) missing or invalid" : "")</p>

        """
    }

    private static let tail = """
        <script>
        addEventListener('load', function () {
          var images = Array.prototype.slice.call(document.querySelectorAll('img'));
          var rendered = images.filter(function (img) { return img.complete && img.naturalWidth > 0; }).length;
          document.body.setAttribute('data-rendered', rendered + '/' + images.length);
        });
        </script>
        </body></html>

        """

    package func card(_ item: Item, in sheet: Sheet) -> String {
        let source = sheet.source
        let placeholder = item.placeholder
        let picture: String
        switch item.picture {
        case .png(let width, let height, let origin):
            // Read again here, so only this one picture is in memory.
            let png = (try? Self.png(from: origin, in: source)) ?? []
            picture = #"<img alt="\#(Self.escape(placeholder.caption ?? placeholder.prompt))" width="\#(width)" height="\#(height)" src="data:image/png;base64,\#(Base64.encode(png))">"#
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
            <p>\(size)</p><p class="prompt">\(Self.escape(placeholder.prompt))</p>\(choices(item, in: sheet))</div></div>
            """
    }

    /// The element's candidates, small, each with its number and the command that picks it.
    package func choices(_ item: Item, in sheet: Sheet) -> String {
        guard !item.choices.isEmpty else { return "" }
        let figures = item.choices.map { choice -> String in
            let png = (try? Self.png(from: .file(choice.path), in: sheet.source)).flatMap { bytes in
                (try? PNGValidator.header(of: bytes)).flatMap { header in
                    header.width <= SizeRules.maximumSide && header.height <= SizeRules.maximumSide
                        && (try? PNGValidator.validate(bytes, width: header.width, height: header.height)) != nil ? bytes : nil
                }
            }
            let picture =
                png.map { #"<img alt="candidate \#(choice.number)" src="data:image/png;base64,\#(Base64.encode($0))">"# }
                ?? #"<div class="box">candidate \#(choice.number) cannot be read</div>"#
            let command = TerminalText.shellCommand("pick", worksheet: sheet.name, operands: [item.placeholder.id, "\(choice.number)"])
            return #"<figure class="candidate\#(choice.linked ? " linked" : "")">\#(picture)<figcaption>\#(choice.number)\#(choice.linked ? " (linked)" : "") <code>\#(Self.escape(command))</code></figcaption></figure>"#
        }
        return #"<div class="candidates">"# + figures.joined() + "</div>"
    }

    /// Text made safe for HTML content and attribute values.
    package static func escape(_ text: String) -> String {
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
