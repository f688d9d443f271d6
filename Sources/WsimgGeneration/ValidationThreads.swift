import Foundation
import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Where received pictures are converted and checked.
package enum ValidationThreads {
    /// Decoding a picture takes milliseconds of CPU. It runs on an operation queue of its own, at most
    /// one decode per core at a time (the queue's limit: no thread waits on a semaphore), so Swift's
    /// cooperative threads stay free to send the next requests meanwhile (measured: scenario 1 of
    /// `make bench` went from 1.10 to 1.07 of ideal).
    ///
    /// Returns the picture to store: the payload itself when it is a valid PNG, a PNG made from it
    /// when it is a JPEG (the spooled JPEG file is then dropped, which deletes it).
    package static func prepare(_ payload: ImagePayload, width: Int, height: Int) async -> Result<ImagePayload, ValidationError> {
        await withCheckedContinuation { (done: CheckedContinuation<Result<ImagePayload, ValidationError>, Never>) in
            decoders.addOperation {
                done.resume(returning: Result { () throws(ValidationError) in try convertAndValidate(payload, width: width, height: height) })
            }
        }
    }

    package static func convertAndValidate(_ payload: ImagePayload, width: Int, height: Int) throws(ValidationError) -> ImagePayload {
        switch payload {
        case .bytes(let bytes):
            let png = try ImageConverter.png(from: bytes, width: width, height: height)
            try PNGValidator.validate(png, width: width, height: height)
            return .bytes(png)
        case .spooled(let file):
            // Whatever is not stored as it is goes now (a converted JPEG, a refused picture).
            var keep = false
            defer { if !keep { file.discard() } }
            guard file.finish() else { throw .notPNG("the picture could not be saved: \(file.failure ?? "write failed")") }
            switch ImageFormat.sniff(file.head(16)) {
            case .png, .unknown:
                try PNGValidator.validate(fileAt: file.path, width: width, height: height)
                keep = true
                return payload
            case .unsupported(let format):
                throw .unsupportedFormat(format)
            case .jpeg:
                // A JPEG is small next to its PNG (FLUX's are a few hundred KiB): read it whole.
                guard let data = try? RegularFile.read(file.path, limit: 256 << 20, followLinks: false) else { throw .notPNG("cannot be read") }
                return try convertAndValidate(.bytes(data), width: width, height: height)
            }
        }
    }

    private static let decoders: OperationQueue = {
        let queue = OperationQueue()
        queue.name = "wsimg-validation"
        queue.maxConcurrentOperationCount = ProcessInfo.processInfo.activeProcessorCount
        return queue
    }()
}
