import Synchronization
import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// A job on its way through the queue, with what has been tried so far.
package struct QueuedJob: Sendable {
    package let job: GenerationJob
    package var attempts = 0
    package var retriesUsed = 0
    package let queuedAt = ContinuousClock.now
}

/// Hands out jobs to workers in order; images that failed on their own come back at the end.
package final class JobQueue: Sendable {
    private let pending: Mutex<[QueuedJob]>

    package init(_ jobs: [GenerationJob]) {
        pending = Mutex(jobs.map { QueuedJob(job: $0) })
    }

    package func next(upTo count: Int) -> [QueuedJob] {
        pending.withLock { pending in
            let taken = Array(pending.prefix(count))
            pending.removeFirst(taken.count)
            return taken
        }
    }

    package func requeue(_ job: QueuedJob) { pending.withLock { $0.append(job) } }

    /// Jobs taken but not sent (their batch was let through smaller) go back to the front, in order.
    package func putBack(_ jobs: ArraySlice<QueuedJob>) { pending.withLock { $0.insert(contentsOf: jobs, at: 0) } }
}
