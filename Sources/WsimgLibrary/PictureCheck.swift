import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgWorksheet

/// `wsimg validate`'s checks of pictures on disk: a PNG decodes whole (and has the size asked for),
/// and a worksheet's every image url leads to one.
package enum PictureCheck {
    /// The PNG files below `folder`, sorted (links to folders are not followed: a loop would not end).
    package static func pngFiles(in folder: String) -> [String] {
        var files: [String] = []
        for name in (try? FileSystem.contentsOfDirectory(atPath: folder)) ?? [] {
            let path = folder + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                files += pngFiles(in: path)
            } else if name.lowercased().hasSuffix(".png") {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// A problem with the PNG at `file`, or nil when it decodes fully (and has the size, when given).
    /// Without a size, one larger than any picture wsimg makes is reported, not decoded: its pixels
    /// could take gigabytes.
    package static func problem(file: String, width: Int?, height: Int?) -> String? {
        do {
            if width == nil, let (fd, _) = try? RegularFile.open(file) {
                defer { close(fd) }
                if let header = try? PNGValidator.header(of: RegularFile.read(fd, count: 24, at: 0)), let problem = tooLarge(header) { return problem }
            }
            try PNGValidator.validate(fileAt: file, width: width, height: height)
            return nil
        } catch {
            return error.description
        }
    }

    package static func problem(bytes: [UInt8], width: Int?, height: Int?) -> String? {
        do {
            let header = try PNGValidator.header(of: bytes)
            if width == nil, let problem = tooLarge(header) { return problem }
            try PNGValidator.validate(bytes, width: width ?? header.width, height: height ?? header.height)
            return nil
        } catch {
            return error.description
        }
    }

    static func tooLarge(_ header: PNGHeader) -> String? {
        guard header.width > SizeRules.maximumSide || header.height > SizeRules.maximumSide else { return nil }
        return "the PNG is \(header.width)×\(header.height), larger than any picture wsimg makes (\(SizeRules.maximumSide) a side); not decoded"
    }

    /// Every image element of the worksheet at `path`: its url leads to a whole PNG of the size it asks for.
    package static func worksheet(_ path: String) throws(WorksheetError) -> (checked: Int, problems: [String]) {
        let sheet = try Worksheet(contentsOf: path, shownAs: path)
        let folder = Paths.folder(of: Paths.absolute(path))
        var problems: [String] = []
        for placeholder in sheet.placeholders {
            let label = "\(path) \(placeholder.id)"
            if let problem = placeholder.problem {
                problems.append("\(label): \(problem)")
                continue
            }
            let request = ImageRequest(placeholder, options: RequestOptions())
            guard let text = placeholder.url, !text.isEmpty else {
                // An element that asks for no picture (no prompt) needs none, as `generate` skips it.
                if placeholder.asksForPicture { problems.append("\(label): no picture (no url)") }
                continue
            }
            let problem: String?
            if text.hasPrefix("data:") {
                switch EmbeddedImage.decode(text, in: sheet.source) {
                case .picture(let bytes): problem = Self.problem(bytes: bytes, width: request.width, height: request.height)
                case .tooLarge: problem = "the embedded picture is larger than 64 MiB"
                case .notBase64: problem = "the data: url is not valid base64"
                }
            } else if let url = text.text, url.contains("://") {
                problem = "\(url) is not a local file, so it cannot be checked"
            } else if let url = text.text {
                let file = Paths.absolute(url, base: folder)
                problem =
                    FileSystem.fileExists(atPath: file)
                    ? Self.problem(file: file, width: request.width, height: request.height) : "\(url) does not exist"
            } else {
                problem = "the url is longer than \(JSONScanner.textLimit >> 10) KiB and not a data: URL"
            }
            if let problem { problems.append("\(label): \(problem)") }
        }
        return (sheet.placeholders.filter { $0.asksForPicture || $0.url != nil }.count, problems)
    }
}
