import Foundation
import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Streams one base64 string field of a JSON body (Together's `b64_json`) straight into a spooled
/// file, decoding as the bytes arrive; the rest of the body, with that string left empty, goes
/// through the streaming scanner as it arrives, which keeps only the fields of Together's answer
/// (`TogetherAnswer.fields`). A multi-megabyte answer thus costs a small buffer, whatever else it holds.
package final class Base64FieldSpool: ResponseSink, @unchecked Sendable {
    package enum State {
        case outside
        case inString(escaped: Bool)
        /// After the wanted key's closing quote, before its colon.
        case afterKey
        /// After the colon, before the value's opening quote.
        case afterColon
        case inImage(escaped: Bool)
    }

    package let field: String
    private let directory: String
    private var state = State.outside
    private let fieldBytes: [UInt8]
    /// The current string's first bytes (enough to tell the field's key) and its length.
    private var stringHead: [UInt8] = []
    private var stringLength = 0
    /// Bytes of the body besides the image, not yet handed to the scanner.
    private var pending: [UInt8] = []
    private var scanner = JSONScanner(maxDepth: 32)
    private var capture = JSONFieldCapture(TogetherAnswer.fields)
    private var syntaxError: JSONSyntaxError?
    private var quad: UInt32 = 0
    private var quadCount = 0
    private var padding = 0
    package private(set) var spooled: SpooledFile?
    /// Why the field could not be taken (invalid base64, a second image, a file that cannot be written).
    package private(set) var problem: String?
    package private(set) var sawField = false
    /// The picture could not be written here (disk full, say): not the answer's fault, and no retry helps.
    package private(set) var writeError: OutputError?
    private var imageComplete = false

    /// `mark`: wsimg's mark for the picture (`PictureMark`), put into it as it streams in.
    package init(field: String, directory: String, mark: [UInt8]? = nil) {
        self.field = field
        self.fieldBytes = Array(field.utf8)
        self.directory = directory
        self.mark = mark
    }

    private let mark: [UInt8]?

    /// Nothing is kept: the answer's fields are read as they pass (see `answer()`).
    package var keptBody: [UInt8] { [] }

    /// Where the answer keeps the picture (`.base64("")` when it was streamed into the file).
    package func answer() throws(GenerationError) -> TogetherAnswer {
        flushPending()
        guard sawBytes else { throw .badResponse("the server sent an empty answer") }
        if syntaxError == nil {
            do {
                try scanner.finish(into: &capture)
            } catch {
                syntaxError = error
            }
        }
        if let syntaxError { throw .notJSON(syntaxError) }
        return try TogetherAnswer.read(capture, in: [])
    }

    private var sawBytes = false

    private func keep(_ byte: UInt8) {
        pending.append(byte)
    }

    private func flushPending() {
        guard !pending.isEmpty else { return }
        sawBytes = true
        if syntaxError == nil {
            pending.withUnsafeBytes { chunk in
                do throws(JSONSyntaxError) {
                    try scanner.feed(chunk, into: &capture)
                } catch {
                    syntaxError = error
                }
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    package func consume(_ chunk: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < chunk.count {
            if case .inImage(escaped: false) = state, problem == nil {
                // Nearly all of the body: decode the run up to the next quote or backslash in one go.
                let end = min(Self.find(UInt8(ascii: "\""), in: chunk, from: index), Self.find(UInt8(ascii: "\\"), in: chunk, from: index))
                decodeRun(UnsafeRawBufferPointer(rebasing: chunk[index..<end]))
                index = end
                if index == chunk.count { break }
            }
            step(chunk[index])
            index += 1
        }
        flushPending()
        return true
    }

    /// The index of `byte` in `chunk` at or after `start`, or `chunk.count` (memchr is vectorised).
    package static func find(_ byte: UInt8, in chunk: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard start < chunk.count, let base = chunk.baseAddress,
            let found = memchr(base + start, Int32(byte), chunk.count - start)
        else { return chunk.count }
        return base.distance(to: UnsafeRawPointer(found))
    }

    private var output = [UInt8](repeating: 0, count: 1 << 16)

    private func decodeRun(_ run: UnsafeRawBufferPointer) {
        var position = 0
        while position < run.count, problem == nil {
            let take = min(run.count - position, output.count / 3 * 4)
            let produced = output.withUnsafeMutableBufferPointer { out in
                Base64.decodeTable.withUnsafeBufferPointer { table in
                    decodeRun(UnsafeRawBufferPointer(rebasing: run[position..<position + take]), table: table, into: out)
                }
            }
            output.withUnsafeBytes { spooled?.append(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            position += take
        }
    }

    /// Decodes base64 characters (carrying a partial group across calls); returns the bytes written.
    private func decodeRun(_ run: UnsafeRawBufferPointer, table: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var written = 0
        var index = 0
        // Whole groups at a time while no partial group is pending; '=' and anything invalid stop
        // the fast loop and go through the careful one below.
        if quadCount == 0 && padding == 0 {
            (index, written) = Base64.decodeGroups(run, table: table, into: out)
        }
        for byte in run[index...] {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            let value = table[Int(byte)]
            guard value != Base64.invalid, padding == 0 else {
                fail("the image is not valid base64")
                return written
            }
            quad = quad << 6 | UInt32(value)
            quadCount += 1
            if quadCount == 4 {
                out[written] = UInt8(truncatingIfNeeded: quad >> 16)
                out[written + 1] = UInt8(truncatingIfNeeded: quad >> 8)
                out[written + 2] = UInt8(truncatingIfNeeded: quad)
                written += 3
                quad = 0
                quadCount = 0
            }
        }
        return written
    }

    /// The decoded field, complete and on disk, or nil (then see `problem`, or the field was absent).
    package func finish() -> SpooledFile? {
        guard problem == nil, imageComplete, let spooled else { return nil }
        guard quadCount == 0 || quadCount >= 2 else {
            problem = "the image is not valid base64"
            return nil
        }
        flushPartialQuad()
        guard spooled.finish() else {
            writeError = spooled.writeError
            problem = "cannot write a temporary file in \(directory): \(spooled.failure ?? "")"
            return nil
        }
        return spooled
    }

    private func step(_ byte: UInt8) {
        switch state {
        case .outside:
            keep(byte)
            if byte == UInt8(ascii: "\"") { beginString() }
        case .inString(let escaped):
            keep(byte)
            if escaped {
                noteStringByte(byte)
                state = .inString(escaped: false)
            } else if byte == UInt8(ascii: "\\") {
                noteStringByte(byte)
                state = .inString(escaped: true)
            } else if byte == UInt8(ascii: "\"") {
                let isField = stringLength == fieldBytes.count && stringHead == fieldBytes
                state = isField ? .afterKey : .outside
            } else {
                noteStringByte(byte)
            }
        case .afterKey:
            keep(byte)
            if byte == UInt8(ascii: ":") {
                state = .afterColon
            } else if !isWhitespace(byte) {
                state = .outside
                reprocessLast()
            }
        case .afterColon:
            keep(byte)
            if byte == UInt8(ascii: "\"") {
                startImage()
            } else if !isWhitespace(byte) {
                state = .outside
                reprocessLast()
            }
        case .inImage(let escaped):
            if escaped {
                state = .inImage(escaped: false)
                byte == UInt8(ascii: "/") ? decode(byte) : fail("the image is not valid base64")
            } else if byte == UInt8(ascii: "\\") {
                state = .inImage(escaped: true)
            } else if byte == UInt8(ascii: "\"") {
                keep(byte)
                imageComplete = true
                state = .outside
            } else {
                decode(byte)
            }
        }
    }

    private func beginString() {
        stringHead.removeAll(keepingCapacity: true)
        stringLength = 0
        state = .inString(escaped: false)
    }

    private func noteStringByte(_ byte: UInt8) {
        if stringLength < fieldBytes.count { stringHead.append(byte) }
        stringLength += 1
    }

    /// A byte that ended a would-be key sequence may itself open a string.
    private func reprocessLast() {
        let byte = pending.removeLast()
        step(byte)
    }

    private func startImage() {
        guard !sawField else {
            fail("more than one image in the answer")
            beginString()
            return
        }
        sawField = true
        do {
            spooled = try SpooledFile(in: directory, mark: mark)
            state = .inImage(escaped: false)
        } catch {
            writeError = error
            fail("\(error)")
            beginString()
        }
    }

    private func fail(_ why: String) {
        if problem == nil { problem = why }
    }

    private func decode(_ byte: UInt8) {
        withUnsafeBytes(of: byte) { decodeRun($0) }
    }

    private func flushPartialQuad() {
        let tail: [UInt8]
        switch quadCount {
        case 2: tail = [UInt8(truncatingIfNeeded: quad >> 4)]
        case 3: tail = [UInt8(truncatingIfNeeded: quad >> 10), UInt8(truncatingIfNeeded: quad >> 2)]
        default: tail = []
        }
        tail.withUnsafeBytes { spooled?.append($0) }
        quadCount = 0
    }

    private func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}
