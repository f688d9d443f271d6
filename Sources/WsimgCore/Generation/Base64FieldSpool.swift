import Foundation

/// Streams one base64 string field of a JSON body (Together's `b64_json`) straight into a spooled
/// file, decoding as the bytes arrive; keeps the rest of the body, with that string left empty, for
/// ordinary parsing. A multi-megabyte answer thus costs a small buffer, not three copies.
public final class Base64FieldSpool: ResponseSink, @unchecked Sendable {
    enum State {
        case outside
        case inString(escaped: Bool)
        /// After the wanted key's closing quote, before its colon.
        case afterKey
        /// After the colon, before the value's opening quote.
        case afterColon
        case inImage(escaped: Bool)
    }

    public let field: String
    private let directory: String
    private var state = State.outside
    private var stringStart = 0
    private let fieldBytes: [UInt8]
    private var kept: [UInt8] = []
    private var quad: UInt32 = 0
    private var quadCount = 0
    private var padding = 0
    public private(set) var spooled: SpooledFile?
    /// Why the field could not be taken (invalid base64, a second image, a file that cannot be written).
    public private(set) var problem: String?
    public private(set) var sawField = false
    /// The picture could not be written here (disk full, say): not the answer's fault, and no retry helps.
    public private(set) var writeError: OutputError?
    private var imageComplete = false

    /// `mark`: wsimg's mark for the picture (`PictureMark`), put into it as it streams in.
    public init(field: String, directory: String, mark: [UInt8]? = nil) {
        self.field = field
        self.fieldBytes = Array(field.utf8)
        self.directory = directory
        self.mark = mark
    }

    private let mark: [UInt8]?

    public var keptBody: [UInt8] { kept }

    public func consume(_ chunk: UnsafeRawBufferPointer) -> Bool {
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
        return true
    }

    /// The index of `byte` in `chunk` at or after `start`, or `chunk.count` (memchr is vectorised).
    static func find(_ byte: UInt8, in chunk: UnsafeRawBufferPointer, from start: Int) -> Int {
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
    public func finish() -> SpooledFile? {
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
            kept.append(byte)
            if byte == UInt8(ascii: "\"") {
                stringStart = kept.count
                state = .inString(escaped: false)
            }
        case .inString(let escaped):
            kept.append(byte)
            if escaped {
                state = .inString(escaped: false)
            } else if byte == UInt8(ascii: "\\") {
                state = .inString(escaped: true)
            } else if byte == UInt8(ascii: "\"") {
                let isField = kept.count - 1 - stringStart == fieldBytes.count && kept[stringStart..<kept.count - 1].elementsEqual(fieldBytes)
                state = isField ? .afterKey : .outside
            }
        case .afterKey:
            kept.append(byte)
            if byte == UInt8(ascii: ":") {
                state = .afterColon
            } else if !isWhitespace(byte) {
                state = .outside
                reprocessLast()
            }
        case .afterColon:
            kept.append(byte)
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
                kept.append(byte)
                imageComplete = true
                state = .outside
            } else {
                decode(byte)
            }
        }
    }

    /// A byte that ended a would-be key sequence may itself open a string.
    private func reprocessLast() {
        let byte = kept.removeLast()
        step(byte)
    }

    private func startImage() {
        guard !sawField else {
            fail("more than one image in the answer")
            state = .inString(escaped: false)
            stringStart = kept.count
            return
        }
        sawField = true
        do {
            spooled = try SpooledFile(in: directory, mark: mark)
            state = .inImage(escaped: false)
        } catch {
            writeError = error
            fail("\(error)")
            state = .inString(escaped: false)
            stringStart = kept.count
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
