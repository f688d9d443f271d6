import Foundation
import Synchronization

/// One image to generate and where it goes.
public struct GenerationJob: Sendable {
    public let request: ImageRequest
    public let key: String

    public init(request: ImageRequest, key: String) {
        self.request = request
        self.key = key
    }
}

public struct GenerationResult: Sendable {
    public enum Status: Sendable, Equatable {
        case generated
        case failed(String)
        case interrupted
    }

    public let job: GenerationJob
    public let status: Status
    public let attempts: Int
    public let duration: Double
}

/// What the engine tells the terminal while it works.
public enum RunEvent: Sendable {
    case attemptFailed(id: String, attempt: Int, error: GenerationError, retryIn: Double?)
    case paused(seconds: Double, reason: String)
    case finished(GenerationResult)
    case stopping(reason: String)
}

/// Runs jobs through a provider with bounded concurrency, shared pacing and retries; validates each
/// image and writes it to the store the moment it arrives.
public struct GenerationEngine: Sendable {
    public let provider: any ImageProvider
    public let store: ImageStore
    public let concurrency: Int
    public let policy: RetryPolicy
    public let events: @Sendable (RunEvent) -> Void

    public init(provider: any ImageProvider, store: ImageStore, concurrency: Int, policy: RetryPolicy,
                events: @escaping @Sendable (RunEvent) -> Void) {
        self.provider = provider
        self.store = store
        self.concurrency = concurrency
        self.policy = policy
        self.events = events
    }

    public enum StopReason: Sendable, Equatable, CustomStringConvertible {
        /// The upstream refused the key or the account; no request can succeed.
        case upstream(GenerationError)
        /// Images cannot be written (disk full, folder not writable).
        case output(OutputError)
        /// The run's `--deadline` passed.
        case deadline(seconds: Double)

        public var description: String {
            switch self {
            case .upstream(let error): "\(error)"
            case .output(let error): "\(error)"
            case .deadline(let seconds): "the --deadline of \(TransportError.format(seconds)) s was reached"
            }
        }
    }

    /// Why the run stopped early, if it did: set once, seen by every worker before its next request.
    public final class StopSignal: Sendable {
        private let reason = Mutex<StopReason?>(nil)
        public init() {}
        public var current: StopReason? { reason.withLock { $0 } }
        /// Keeps the first reason; returns whether this call set it.
        @discardableResult public func stop(_ why: StopReason) -> Bool {
            reason.withLock { reason in
                guard reason == nil else { return false }
                reason = why
                return true
            }
        }
    }

    public func run(_ jobs: [GenerationJob], stop: StopSignal = StopSignal()) async -> [GenerationResult] {
        let gate = RequestGate(maxInFlight: concurrency)
        let queue = JobQueue(jobs)
        return await withTaskGroup(of: [GenerationResult].self) { group in
            for _ in 0..<min(concurrency, jobs.count) {
                group.addTask {
                    var results: [GenerationResult] = []
                    while let job = queue.next() {
                        let result = await process(job, gate: gate, stop: stop)
                        results.append(result)
                        events(.finished(result))
                    }
                    return results
                }
            }
            var all: [GenerationResult] = []
            for await results in group { all += results }
            return all
        }
    }

    private func process(_ job: GenerationJob, gate: RequestGate, stop: StopSignal) async -> GenerationResult {
        let started = ContinuousClock.now
        var attempts = 0
        var retriesUsed = 0
        func result(_ status: GenerationResult.Status) -> GenerationResult {
            GenerationResult(job: job, status: status, attempts: attempts, duration: (ContinuousClock.now - started).seconds)
        }
        while true {
            if let reason = stop.current { return result(.failed("not started: \(reason)")) }
            let ticket: RequestGate.Ticket
            do {
                ticket = try await gate.acquire()
            } catch {
                return result(.interrupted)
            }
            attempts += 1
            let error: GenerationError
            do throws(GenerationError) {
                let bytes = try await provider.generate(job.request)
                await gate.release(ticket, .succeeded)
                do {
                    try PNGValidator.validate(bytes, width: job.request.width, height: job.request.height)
                } catch let invalid {
                    throw GenerationError.invalidImage(invalid)
                }
                do {
                    try store.write(bytes, id: job.request.id, key: job.key)
                } catch let output {
                    if stop.stop(.output(output)) { events(.stopping(reason: output.description)) }
                    return result(.failed(output.description))
                }
                return result(.generated)
            } catch let caught {
                error = caught
                if case .rateLimited(let after) = error {
                    await gate.release(ticket, .rateLimited(retryAfter: after))
                } else if case .invalidImage = error {
                    // The request itself succeeded; the gate already counted it.
                } else {
                    await gate.release(ticket, .failed)
                }
            }
            switch error.disposition {
            case .pace:
                if let pause = await gate.pauseRemaining { events(.paused(seconds: pause, reason: "rate limited")) }
                events(.attemptFailed(id: job.request.id, attempt: attempts, error: error, retryIn: nil))
            case .retry where retriesUsed < policy.retries && !Task.isCancelled:
                retriesUsed += 1
                let delay = policy.delay(beforeRetry: retriesUsed, unitRandom: Double.random(in: 0...1))
                events(.attemptFailed(id: job.request.id, attempt: attempts, error: error, retryIn: delay))
                do {
                    try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                } catch {
                    return result(.interrupted)
                }
            case .retry, .fail:
                if error == .cancelled || error == .transport(.cancelled) || Task.isCancelled { return result(.interrupted) }
                return result(.failed(error.description))
            case .stopRun:
                if stop.stop(.upstream(error)) { events(.stopping(reason: error.description)) }
                return result(.failed(error.description))
            }
        }
    }
}

/// Hands out jobs to workers, each exactly once.
final class JobQueue: Sendable {
    private let remaining: Mutex<IndexingIterator<[GenerationJob]>>

    init(_ jobs: [GenerationJob]) {
        remaining = Mutex(jobs.makeIterator())
    }

    func next() -> GenerationJob? { remaining.withLock { $0.next() } }
}
