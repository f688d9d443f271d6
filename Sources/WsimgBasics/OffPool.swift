import Dispatch

/// Work that may block (waiting for another process's file lock) runs here, on a thread of its own,
/// never on one of Swift's few cooperative threads, which must stay free to send and receive.
package enum OffPool {
    private static let queue = DispatchQueue(label: "wsimg-blocking", attributes: .concurrent)

    package static func run<Result: Sendable>(_ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { (done: CheckedContinuation<Result, Never>) in
            queue.async { done.resume(returning: body()) }
        }
    }
}
