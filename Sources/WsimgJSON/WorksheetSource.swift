import Foundation
import Synchronization
import WsimgBasics

/// Where a worksheet's bytes are, read a chunk at a time: a file (opened again for each pass, so a
/// writer checks the hash of what it copies), a private spool of standard input, or bytes in memory.
package final class WorksheetSource: Sendable {
    package static let chunkSize = 1 << 20

    private enum Origin {
        case path(String)
        case descriptor(Int32, owned: Bool)
        case bytes([UInt8])
    }

    private let origin: Origin
    package let chunkSize: Int
    private let opened = Mutex<FileStamp?>(nil)

    /// The version of the file the last pass read (for a worksheet at a path): a writer checks the
    /// path still names it before replacing it.
    package var lastRead: FileStamp? { opened.withLock { $0 } }

    package init(bytes: [UInt8], chunkSize: Int = WorksheetSource.chunkSize) {
        origin = .bytes(bytes)
        self.chunkSize = max(1, chunkSize)
    }

    package init(path: String) {
        origin = .path(path)
        chunkSize = Self.chunkSize
    }

    /// Reads through `descriptor` (not closed here).
    package init(descriptor: Int32) {
        origin = .descriptor(descriptor, owned: false)
        chunkSize = Self.chunkSize
    }

    private init(owning descriptor: Int32) {
        origin = .descriptor(descriptor, owned: true)
        chunkSize = Self.chunkSize
    }

    deinit {
        if case .descriptor(let fd, owned: true) = origin { close(fd) }
    }

    /// Copies everything readable from `input` into a temporary file that is unlinked at once, so it
    /// disappears with the process whatever happens. Nil when it cannot (errno says why).
    package static func spooling(_ input: Int32) -> WorksheetSource? {
        guard let (fd, path) = AtomicFile.createTemporary(in: Paths.temporaryFolder()) else { return nil }
        unlink(path)
        let spool = WorksheetSource(owning: fd)
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(input, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { return spool }
            if buffer.withUnsafeBytes({ AtomicFile.writeAll(UnsafeRawBufferPointer(rebasing: $0[..<count]), to: fd) }) != nil { return nil }
        }
    }

    /// Calls `body` with the bytes in order, `chunkSize` at a time; returns why they could not all be
    /// read, if they could not.
    package func forEachChunk<Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Void) throws(Failure) -> String? {
        switch origin {
        case .bytes(let bytes):
            var failure: Failure?
            bytes.withUnsafeBytes { all in
                var start = 0
                repeat {
                    let end = min(all.count, start + chunkSize)
                    do {
                        try body(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                    } catch {
                        failure = error as? Failure
                        return
                    }
                    start = end
                } while start < all.count
            }
            if let failure { throw failure }
            return nil
        case .descriptor(let fd, _):
            return try Self.forEachChunk(of: fd, size: chunkSize, body)
        case .path(let path):
            let fd: Int32
            do {
                fd = try RegularFile.open(path).descriptor
            } catch {
                return error.description
            }
            defer { close(fd) }
            let stamp = FileStamp(descriptor: fd)
            opened.withLock { $0 = stamp }
            return try Self.forEachChunk(of: fd, size: chunkSize, body)
        }
    }

    private static func forEachChunk<Failure: Error>(
        of fd: Int32, size: Int, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) -> String? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var offset = 0
        while true {
            let count = pread(fd, buffer.baseAddress, size, off_t(offset))
            if count < 0, errno == EINTR { continue }
            if count < 0 { return String(cString: strerror(errno)) }
            if count == 0 { return nil }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            offset += count
        }
    }

    /// The bytes in `range` (a few, or one picture's worth: the caller bounds it), or nil if they
    /// cannot be read.
    package func bytes(in range: Range<Int>) -> [UInt8]? {
        switch origin {
        case .bytes(let bytes):
            guard range.upperBound <= bytes.count else { return nil }
            return Array(bytes[range])
        case .descriptor(let fd, _):
            return Self.read(fd, range)
        case .path(let path):
            guard let fd = try? RegularFile.open(path).descriptor else { return nil }
            defer { close(fd) }
            return Self.read(fd, range)
        }
    }

    private static func read(_ fd: Int32, _ range: Range<Int>) -> [UInt8]? {
        let bytes = RegularFile.read(fd, count: range.count, at: range.lowerBound)
        return bytes.count == range.count ? bytes : nil
    }
}

extension WorksheetSource {
    /// The whole of a worksheet string, as UTF-8 (escapes decoded): kept already when short, else read
    /// from the file when it is at most `limit` bytes (one picture, never the worksheet). Nil when
    /// longer or unreadable.
    package func contentBytes(_ text: WorksheetText, limit: Int = 64 << 20) -> [UInt8]? {
        if let whole = text.text { return Array(whole.utf8) }
        guard text.range.count <= limit, text.range.count >= 2, let bytes = bytes(in: text.range) else { return nil }
        return StringBytes.decodeBytes(Array(bytes.dropFirst().dropLast()))
    }

    /// As `contentBytes`, as text.
    package func string(_ text: WorksheetText, limit: Int = 64 << 20) -> String? {
        contentBytes(text, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }
}
