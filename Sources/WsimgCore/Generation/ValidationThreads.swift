import Foundation

/// Where received pictures are decoded and checked.
enum ValidationThreads {
    /// Decoding a picture takes milliseconds of CPU. It runs on a dispatch queue, at most one decode
    /// per core at a time, so Swift's cooperative threads stay free to send the next requests
    /// meanwhile (measured: scenario 1 of `make bench` went from 1.10 to 1.07 of ideal).
    static func validate(_ payload: ImagePayload, width: Int, height: Int) async -> ValidationError? {
        await withCheckedContinuation { (done: CheckedContinuation<ValidationError?, Never>) in
            queue.async {
                slots.wait()
                defer { slots.signal() }
                do throws(ValidationError) {
                    switch payload {
                    case .bytes(let bytes): try PNGValidator.validate(bytes, width: width, height: height)
                    case .spooled(let file): try PNGValidator.validate(fileAt: file.path, width: width, height: height)
                    }
                    done.resume(returning: nil)
                } catch {
                    done.resume(returning: error)
                }
            }
        }
    }

    private static let queue = DispatchQueue(label: "wsimg-validation", attributes: .concurrent)
    private static let slots = DispatchSemaphore(value: ProcessInfo.processInfo.activeProcessorCount)
}
