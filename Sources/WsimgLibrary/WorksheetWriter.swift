import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Writes a worksheet anew without holding it: its bytes are copied from the source a chunk at a
/// time, and each element's new `url` is spliced in as the copy passes it — an embedded picture
/// base64-encoded straight from its PNG file. The copy is hashed as it goes; if the source is no
/// longer what was scanned, the write fails with `.changedWhileWriting` (compare-and-swap).
package struct WorksheetWriter {
    /// An element's new `url`.
    package enum Link: Sendable, Equatable {
        case text(String)
        /// `data:image/png;base64,…` of the PNG at this path.
        case embedded(file: String)
    }

    package struct Splice {
        package let range: Range<Int>
        package let before: [UInt8]
        package let picture: String?
        package let after: [UInt8]
    }

    package let worksheet: Worksheet
    package let splices: [Splice]

    /// `links`: element id → its new url; elements are found in `worksheet` by id.
    package init(worksheet: Worksheet, links: [String: Link]) {
        self.worksheet = worksheet
        splices = worksheet.placeholders.compactMap { placeholder in
            links[placeholder.id].map { Self.splice(setting: $0, in: placeholder.properties, of: worksheet.source) }
        }.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// Sets `url` in a properties object: replaces its value if the key is there, otherwise adds a
    /// member laid out like the one before it.
    package static func splice(setting link: Link, in properties: PropertiesDraft, of source: WorksheetSource) -> Splice {
        let (value, picture, after): ([UInt8], String?, [UInt8]) =
            switch link {
            case .text(let text): (Array(JSONWriter.quoted(text).utf8), nil, [])
            case .embedded(let file): (Array(("\"" + EmbeddedImage.prefix).utf8), file, [UInt8(ascii: "\"")])
            }
        if let existing = properties.values["url"]?.range {
            return Splice(range: existing, before: value, picture: picture, after: after)
        }
        guard let lastKey = properties.lastKey, let lastValue = properties.lastValue else {
            let at = properties.open + 1
            return Splice(range: at..<at, before: Array(#""url": "#.utf8) + value, picture: picture, after: after)
        }
        let separator = lastValue.lowerBound - lastKey.upperBound <= 256 ? source.bytes(in: lastKey.upperBound..<lastValue.lowerBound) : nil
        let member =
            Array(",".utf8) + indentation(before: lastKey, members: properties.memberCount, in: source) + Array(#""url""#.utf8)
            + (separator ?? Array(": ".utf8))
        return Splice(range: lastValue.upperBound..<lastValue.upperBound, before: member + value, picture: picture, after: after)
    }

    /// The whitespace before a member's key (a single space in a one-member object on one line).
    private static func indentation(before key: Range<Int>, members: Int, in source: WorksheetSource) -> [UInt8] {
        let start = max(0, key.lowerBound - 256)
        let before = source.bytes(in: start..<key.lowerBound) ?? []
        let space = Array(before.reversed().prefix { [0x20, 0x09, 0x0A, 0x0D].contains($0) }.reversed())
        return members > 1 || space.contains(0x0A) ? space : [0x20]
    }

    /// Writes the new worksheet to `fd`; `path` names the destination in errors.
    package func write(to fd: Int32, path: String) throws(OutputError) {
        var hash = XXHash64()
        var next = 0
        var copyFrom = 0
        var chunkStart = 0
        let failure = try worksheet.source.forEachChunk { (chunk) throws(OutputError) in
            hash.update(chunk)
            let chunkEnd = chunkStart + chunk.count
            /// Copies the source's bytes from `start` (or the chunk's start) to `end`, if any.
            func copy(from start: Int, to end: Int) throws(OutputError) {
                let start = max(start, chunkStart)
                guard start < end else { return }
                let slice = UnsafeRawBufferPointer(rebasing: chunk[start - chunkStart..<end - chunkStart])
                if let failure = AtomicFile.writeAll(slice, to: fd) { throw .cannotWrite(path: path, reason: failure) }
            }
            while next < splices.count, splices[next].range.lowerBound < chunkEnd {
                let splice = splices[next]
                try copy(from: copyFrom, to: splice.range.lowerBound)
                try emit(splice, to: fd, path: path)
                copyFrom = splice.range.upperBound
                next += 1
            }
            try copy(from: copyFrom, to: chunkEnd)
            chunkStart = chunkEnd
        }
        if let failure { throw .cannotWrite(path: path, reason: "cannot read the worksheet again: \(failure)") }
        for splice in splices[next...] { try emit(splice, to: fd, path: path) }
        guard hash.finish() == worksheet.contentHash else { throw .changedWhileWriting }
    }

    private func emit(_ splice: Splice, to fd: Int32, path: String) throws(OutputError) {
        if let failure = splice.before.withUnsafeBytes({ AtomicFile.writeAll($0, to: fd) }) { throw .cannotWrite(path: path, reason: failure) }
        if let picture = splice.picture { try Self.writeBase64(of: picture, to: fd, path: path) }
        if let failure = splice.after.withUnsafeBytes({ AtomicFile.writeAll($0, to: fd) }) { throw .cannotWrite(path: path, reason: failure) }
    }

    /// The file at `picture`, base64-encoded, a piece at a time.
    package static func writeBase64(of picture: String, to fd: Int32, path: String) throws(OutputError) {
        let input: Int32
        do {
            input = try RegularFile.open(picture).descriptor
        } catch {
            throw .cannotWrite(path: path, reason: "cannot read \(picture): \(error)")
        }
        defer { close(input) }
        let pieceSize = 3 << 16
        let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: pieceSize, alignment: 16)
        let encoded = UnsafeMutableRawBufferPointer.allocate(byteCount: Base64.encodedCount(pieceSize), alignment: 16)
        defer {
            piece.deallocate()
            encoded.deallocate()
        }
        while true {
            // Fill whole pieces (a multiple of 3) so padding appears only at the very end.
            var filled = 0
            while filled < pieceSize {
                let count = read(input, piece.baseAddress! + filled, pieceSize - filled)
                if count < 0, errno == EINTR { continue }
                if count < 0 { throw .cannotWrite(path: path, reason: "cannot read \(picture): \(AtomicFile.lastError())") }
                if count == 0 { break }
                filled += count
            }
            guard filled > 0 else { return }
            let length = Base64.encode(UnsafeRawBufferPointer(rebasing: piece[..<filled]), into: encoded)
            if let failure = AtomicFile.writeAll(UnsafeRawBufferPointer(rebasing: encoded[..<length]), to: fd) {
                throw .cannotWrite(path: path, reason: failure)
            }
            if filled < pieceSize { return }
        }
    }
}

extension WorksheetWriter {
    /// The worksheet's bytes with these elements' `url`s set (for tests and the fuzzer: it goes
    /// through a temporary file as a run does).
    package static func edited(_ worksheet: Worksheet, urls: [String: String]) throws(OutputError) -> [UInt8] {
        let folder = Paths.temporaryFolder()
        guard let (fd, path) = AtomicFile.createTemporary(in: folder) else { throw .cannotWrite(path: folder, reason: AtomicFile.lastError()) }
        defer {
            close(fd)
            unlink(path)
        }
        try WorksheetWriter(worksheet: worksheet, links: urls.mapValues { .text($0) }).write(to: fd, path: path)
        do {
            return try RegularFile.read(path)
        } catch {
            throw .cannotWrite(path: path, reason: error.description)
        }
    }
}
