import Foundation

package enum Paths {
    package static func absolute(_ path: String, base: String = FileSystem.currentDirectoryPath) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        return normalised(joined)
    }

    /// Removes `.`, `..` and empty components of an absolute path.
    package static func normalised(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `path` names an existing folder (following links).
    /// `$TMPDIR` when set, else /tmp.
    package static func temporaryFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// The images folder of the worksheet at `path` (absolute): `<stem>_images` beside it. The one rule
    /// for generate, pick, candidates, preview and validate. A name that is not UTF-8 gets a folder
    /// that is (its stray bytes as U+FFFD), so the links written into the worksheet are valid text.
    package static func imagesFolder(of path: String) -> String {
        let stem = String(String.UnicodeScalarView(stem(of: path).unicodeScalars.map { FileNameBytes.byte(escapedAs: $0) == nil ? $0 : "\u{FFFD}" }))
        return folder(of: path) + "/" + stem + "_images"
    }

    package static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    package static func folder(of path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        return folder.isEmpty ? "/" : folder
    }

    package static func stem(of path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// An absolute path as a message shows it: relative to the working folder when inside it, safe to print.
    package static func display(_ path: String) -> String {
        let cwd = FileSystem.currentDirectoryPath
        let shown = path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
        return TerminalText.safe(shown)
    }

    /// `target` relative to the folder `base` (both absolute), with `..` where needed.
    package static func relative(_ target: String, from base: String) -> String {
        let t = target.split(separator: "/")
        let b = base.split(separator: "/")
        var common = 0
        while common < t.count, common < b.count, t[common] == b[common] { common += 1 }
        let ups = Array(repeating: "..", count: b.count - common)
        return (ups + t[common...].map(String.init)).joined(separator: "/")
    }
}
