import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// The worksheets one run was given, resolved once for the whole run: folders expanded to their
/// `*.json` files, a file named twice (or a folder and a file in it) taken once, and the places the
/// run will write checked against each other before anything is sent.
package enum RunInputs {
    package struct Input: Equatable {
        /// As the user named it (a folder's files as `folder/name.json`).
        package let name: String
        /// Found in a folder rather than named: a JSON file there that is not a worksheet is skipped.
        package let fromFolder: Bool
    }

    /// Every worksheet named, in order, each file once. `note` hears what was left out and why.
    /// `recursive`: a folder's subfolders too (not hidden ones, nor images folders).
    package static func resolve(_ names: [String], recursive: Bool = false, note: (String) -> Void) -> [Input] {
        var seen: [FileIdentity: String] = [:]
        var inputs: [Input] = []
        for name in names {
            let listed: [Input]
            if name != "-", Paths.isFolder(name) {
                listed = jsonFiles(in: name, recursive: recursive).map { Input(name: $0, fromFolder: true) }
            } else {
                listed = [Input(name: name, fromFolder: false)]
            }
            for input in listed {
                // A FIFO or a device named *.json is no worksheet, and opening it could block.
                if input.fromFolder, let kind = notRegular(input.name) {
                    note("skipping \(TerminalText.safe(input.name)): it is not a regular file (\(kind))")
                    continue
                }
                if input.fromFolder, RunReport.isReport(atPath: input.name) {
                    note("skipping \(TerminalText.safe(input.name)): it is a wsimg report, not a worksheet")
                    continue
                }
                if input.name != "-", let identity = FileIdentity(path: input.name) {
                    if let first = seen[identity] {
                        if !input.fromFolder || first != input.name {
                            note("\(TerminalText.safe(input.name)) is \(TerminalText.safe(first)), named already: taken once")
                        }
                        continue
                    }
                    seen[identity] = input.name
                }
                inputs.append(input)
            }
        }
        return inputs
    }

    /// What the file at `path` is when it is not a regular file (a link is followed); nil otherwise.
    package static func notRegular(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFIFO: return "a FIFO"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    /// What a run given `names` says when they hold no worksheet.
    package static func noWorksheets(in names: [String]) -> String {
        "no worksheets (*.json) in \(names.map { TerminalText.safe($0) }.joined(separator: " "))"
    }

    /// The `*.json` files of `folder`, sorted, then (with `recursive`) its subfolders' in turn.
    package static func jsonFiles(in folder: String, recursive: Bool) -> [String] {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        let names = ((try? FileSystem.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var files = names.filter { $0.hasSuffix(".json") && !Paths.isFolder(prefix + $0) }.map { prefix + $0 }
        if recursive {
            for name in names where !name.hasSuffix("_images") && Paths.isFolder(prefix + name) {
                var info = stat()
                // Links to folders are not followed: a loop must not make the walk endless.
                guard lstat(prefix + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
                files += jsonFiles(in: prefix + name, recursive: true)
            }
        }
        return files
    }

    /// A problem that stops the whole run before any request: two worksheets that would write the same
    /// file or images folder, or a report that would overwrite a worksheet.
    package struct Conflict: Error, CustomStringConvertible {
        package let description: String
    }

    /// `outputs`: each worksheet's name, output file (nil for stdout) and images folder.
    package static func check(
        _ outputs: [(name: String, input: String?, output: String?, images: String)], report: String?, reportShown: String? = nil
    ) throws(Conflict) {
        var writers: [String: String] = [:]
        var folders: [String: String] = [:]
        for entry in outputs {
            if let output = entry.output {
                let target = WorksheetFile.target(of: output)
                if let other = writers[target] {
                    throw Conflict(description: "\(other) and \(entry.name) would both be written to \(Paths.display(target)); give them different names or write them to different folders")
                }
                writers[target] = entry.name
            }
            let images = WorksheetFile.target(of: entry.images)
            if let other = folders[images] {
                throw Conflict(description: "\(other) and \(entry.name) would both keep their pictures in \(Paths.display(images)); give them different names or write them to different folders")
            }
            folders[images] = entry.name
        }
        if let report, let name = worksheet(namedBy: report, in: outputs) {
            throw Conflict(description: "--report \(reportShown ?? report) names the worksheet itself (\(name)); give the report a file of its own")
        }
    }

    /// The worksheet a report at `report` would overwrite (its input or output), if any.
    package static func worksheet(namedBy report: String, in outputs: [(name: String, input: String?, output: String?, images: String)]) -> String? {
        let target = WorksheetFile.target(of: report)
        return outputs.first { [$0.input, $0.output].contains { $0.map(WorksheetFile.target(of:)) == target } }?.name
    }

    /// Makes the folders the run will write its files in, as `mkdir -p` would.
    package static func makeFolders(for files: [String]) throws(Conflict) {
        for folder in Set(files.map { Paths.folder(of: WorksheetFile.target(of: $0)) }) where !Paths.isFolder(folder) {
            do {
                try FileSystem.createDirectory(atPath: folder)
            } catch {
                throw Conflict(description: "cannot create folder \(Paths.display(folder)): \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
            }
        }
    }
}

/// A file's device and inode: the same file under any name.
package struct FileIdentity: Hashable {
    package let device: UInt64
    package let inode: UInt64

    package init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
