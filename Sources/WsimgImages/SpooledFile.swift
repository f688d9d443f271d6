import Foundation
import WsimgBasics

/// A temporary file in the folder its contents are meant for. Deleted when dropped, unless it was
/// moved into place; named and locked like `AtomicFile`'s temporaries (the descriptor, and so the
/// lock, stays open until then), so only a killed run's leftovers are ever cleaned up.
package final class SpooledFile: @unchecked Sendable {
    package let path: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var moved = false
    package private(set) var byteCount = 0
    package private(set) var failure: String?
    /// The failure as the output's error: a write here failing is this machine's problem, not the answer's.
    package var writeError: OutputError? { failure.map { .cannotWrite(path: path, reason: $0) } }
    package static let bufferSize = 1 << 16
    /// wsimg's mark (`PictureMark`), put after the IHDR of a PNG as it streams past; nil once placed.
    private var mark: [UInt8]?

    package init(in directory: String, mark: [UInt8]? = nil) throws(OutputError) {
        self.mark = mark
        guard let (fd, path) = AtomicFile.createTemporary(in: directory) else {
            throw .cannotWrite(path: directory, reason: AtomicFile.lastError())
        }
        descriptor = fd
        self.path = path
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !moved { unlink(path) }
    }

    package func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        if let mark, byteCount == 0, buffer.count >= PictureMark.headerLength {
            if PictureMark.canMark(buffer) { buffer.insert(contentsOf: mark, at: PictureMark.headerLength) }
            self.mark = nil
        }
        if buffer.count >= Self.bufferSize { flush() }
    }

    /// Writes what is buffered and closes the file; false if anything failed.
    ///
    /// Not fsynced: a kill leaves the page cache intact, and after a power cut a picture that did not
    /// reach the disk whole fails the next run's header-and-trailer check and is generated again.
    /// An fsync per picture measurably slowed runs (it sits between a response and the next request).
    package func finish() -> Bool {
        flush()
        guard descriptor >= 0, !finished else { return failure == nil }
        finished = true
        if failure == nil, fchmod(descriptor, AtomicFile.newFileMode) != 0 { failure = AtomicFile.lastError() }
        return failure == nil
    }

    private var finished = false

    /// The first `count` bytes written (after `finish`).
    package func head(_ count: Int) -> [UInt8] {
        // The file is still open (and locked) for writing: read through the same descriptor.
        descriptor >= 0 ? RegularFile.read(descriptor, count: count, at: 0) : []
    }

    /// Renames the finished file to `destination` (the same folder, so atomic; another worksheet's
    /// folder on another filesystem is copied).
    package func move(to destination: String) throws(OutputError) {
        guard finish() else { throw .cannotWrite(path: destination, reason: failure ?? "write failed") }
        if rename(path, destination) != 0 {
            // Spooled into another worksheet's folder on another filesystem: copy it over.
            guard errno == EXDEV, let bytes = try? RegularFile.read(path, limit: 1 << 30) else {
                throw .cannotWrite(path: destination, reason: AtomicFile.lastError())
            }
            try AtomicFile.write(bytes, to: destination, durable: false)
            unlink(path)
        }
        moved = true
        close(descriptor)
        descriptor = -1
    }

    /// Deletes the file now, rather than when the last reference goes: a reference held by a finished
    /// transfer may outlive the run (the process exits without running deinit), leaving it behind.
    package func discard() {
        guard !moved else { return }
        moved = true
        unlink(path)
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    private func flush() {
        guard !buffer.isEmpty, descriptor >= 0, failure == nil else { return }
        failure = buffer.withUnsafeBytes { AtomicFile.writeAll($0, to: descriptor) }
        byteCount += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
