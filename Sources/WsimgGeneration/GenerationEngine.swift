import Foundation
import Synchronization
import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// One image to generate and where it goes.
package struct GenerationJob: Sendable {
    package var request: ImageRequest
    package let key: String
    /// Which worksheet of a run asked for it (ids repeat across worksheets).
    package var owner = 0
    /// Its worksheet's images folder; nil for the engine's.
    package var store: (any PictureFolder)?
    /// Its name in the picture cache (`PictureCache.contentKey`), when the run worked it out.
    package var contentKey: String?
    /// Its worksheet, named in messages when a run has several.
    package var worksheet: String?

    /// How messages name it: `lesson.json 1-2` with several worksheets, else `1-2`.
    package var label: String { worksheet.map { "\($0) \(request.id)" } ?? request.id }

    package init(request: ImageRequest, key: String) {
        self.request = request
        self.key = key
    }
}

package struct GenerationResult: Sendable {
    package enum Status: Sendable, Equatable {
        case generated
        case failed(FailureReason)
        case interrupted
    }

    package let job: GenerationJob
    package let status: Status
    package let attempts: Int
    package let duration: Double

    package init(job: GenerationJob, status: Status, attempts: Int, duration: Double) {
        self.job = job
        self.status = status
        self.attempts = attempts
        self.duration = duration
    }
}

/// What the engine tells the terminal while it works.
package enum RunEvent: Sendable {
    case attemptFailed(id: String, attempt: Int, error: GenerationError, retryIn: Double?)
    case paused(seconds: Double, cause: PauseCause)
    /// A request went out (each try counts): how many pictures it asked for, and their megapixels.
    case sent(pictures: Int, megapixels: Double)
    case finished(GenerationResult)
    case stopping(reason: String)
}

/// Runs jobs through a provider with bounded concurrency, shared pacing and retries; validates each
/// image and writes it to the store the moment it arrives.
package struct GenerationEngine: Sendable {
    package let provider: any ImageProvider
    package let store: any PictureFolder
    package let concurrency: Int
    package let policy: RetryPolicy
    package let events: @Sendable (RunEvent) -> Void
    /// The pace shared with other processes using the same key, if any.
    package let sharedPace: SharedPace?
    /// The API's rate-limit headers, as the provider receives them.
    package let rateReports: RateLimitReports?

    package init(
        provider: any ImageProvider, store: any PictureFolder, concurrency: Int, policy: RetryPolicy,
        sharedPace: SharedPace? = nil, rateReports: RateLimitReports? = nil, events: @escaping @Sendable (RunEvent) -> Void
    ) {
        self.sharedPace = sharedPace
        self.rateReports = rateReports
        self.provider = provider
        self.store = store
        self.concurrency = concurrency
        self.policy = policy
        self.events = events
    }

    package enum StopReason: Sendable, Equatable, CustomStringConvertible {
        /// The upstream refused the key or the account; no request can succeed.
        case upstream(GenerationError)
        /// Images cannot be written (disk full, folder not writable).
        case output(OutputError)
        /// The run's `--deadline` passed.
        case deadline(seconds: Double)
        /// Rate limits or overload would hold the run longer than `--max-wait`.
        case overloaded(OverloadStop)
        /// The service could not be reached before any request succeeded (no network, a wrong host).
        case unreachable(host: String, error: TransportError)

        /// One word for scripts (the report's `stop.reason`).
        package var kind: String {
            switch self {
            case .upstream: "upstream"
            case .output: "output"
            case .deadline: "deadline"
            case .overloaded: "overloaded"
            case .unreachable: "unreachable"
            }
        }

        /// Whether running the same command again can finish the job as it is: after the deadline, an
        /// overload or an interruption it can; after a refused key, an unreachable host or an images
        /// folder that cannot be written something must be fixed first.
        package var rerunHelps: Bool {
            switch self {
            case .deadline, .overloaded: true
            case .upstream, .output, .unreachable: false
            }
        }

        package var description: String {
            switch self {
            case .upstream(let error): "\(error)"
            case .output(let error): "\(error)"
            case .deadline(let seconds): "the --deadline of \(NumberText.plain(seconds)) s was reached"
            case .overloaded(let why): "\(why)"
            case .unreachable(let host, let error): "cannot reach \(host): \(error) (no network, or a proxy or firewall in the way?)"
            }
        }
    }

    /// Why the run stopped early, if it did: set once, seen by every worker before its next request.
    package final class StopSignal: Sendable {
        private let reason = Mutex<StopReason?>(nil)
        package init() {}
        package var current: StopReason? { reason.withLock { $0 } }
        /// Keeps the first reason; returns whether this call set it.
        @discardableResult package func stop(_ why: StopReason) -> Bool {
            reason.withLock { reason in
                guard reason == nil else { return false }
                reason = why
                return true
            }
        }
    }

    package func run(_ jobs: [GenerationJob], stop: StopSignal = StopSignal()) async -> [GenerationResult] {
        let gate = RequestGate(
            maxInFlight: concurrency, shared: sharedPace, maxWait: policy.maxWait,
            onSharedWait: { [events, route = provider.isRoute] reservation in
                events(.paused(seconds: reservation.wait, cause: .pacing(reservation.cause, sharedWithOthers: reservation.sharedWithOthers, route: route)))
            },
            reports: rateReports, slowStart: provider.paceIdentity != nil, largestBatch: provider.batchSize, pictures: jobs.count)
        let queue = JobQueue(jobs)
        let batchSize = max(1, provider.batchSize)
        // Twice as many workers as requests allowed in flight: while one worker checks and stores the
        // image it just received, another already has the next request out. The gate keeps -j.
        let workers = min(concurrency * 3, (jobs.count + batchSize - 1) / batchSize)
        return await withTaskGroup(of: [GenerationResult].self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var results: [GenerationResult] = []
                    while case let batch = queue.next(upTo: batchSize), !batch.isEmpty {
                        results += await process(batch, queue: queue, gate: gate, stop: stop)
                    }
                    return results
                }
            }
            var all: [GenerationResult] = []
            for await results in group { all += results }
            return all
        }
    }

    /// Sends one batch (one request to the provider) until it is answered, retrying failures of the
    /// whole call in place; images that fail on their own go back to the queue for a later batch.
    private func process(_ batch: [QueuedJob], queue: JobQueue, gate: RequestGate, stop: StopSignal) async -> [GenerationResult] {
        var batch = batch
        func finish(_ status: GenerationResult.Status) -> [GenerationResult] {
            batch.map { finished($0, status) }
        }
        while true {
            if let reason = stop.current { return finish(.failed(.notStarted(reason))) }
            let ticket: RequestGate.Ticket
            do {
                ticket = try await gate.acquire(pictures: batch.count)
            } catch let tooLong as RequestGate.SharedWaitTooLong {
                // This run's own 429s set the pace: as any wait for them. Otherwise the wait is other runs'.
                let why =
                    tooLong.lastRefusal.map { OverloadStop(error: $0, waitAsked: nil, waited: tooLong.withoutSuccess + tooLong.seconds, maxWait: policy.maxWait) }
                    ?? OverloadStop(
                        error: .rateLimited(retryAfter: tooLong.seconds), waitAsked: tooLong.seconds, waited: nil,
                        maxWait: policy.maxWait, paceCause: tooLong.cause)
                await halt(.overloaded(why), gate: gate, stop: stop)
                return finish(.failed(.notStarted(stop.current ?? .overloaded(why))))
            } catch {
                if let reason = stop.current { return finish(.failed(.notStarted(reason))) }
                return finish(.interrupted)
            }
            if let reason = stop.current {
                await gate.release(ticket, .failed)
                return finish(.failed(.notStarted(reason)))
            }
            if ticket.pictures < batch.count {
                queue.putBack(batch[ticket.pictures...])
                batch.removeLast(batch.count - ticket.pictures)
            }
            for index in batch.indices { batch[index].attempts += 1 }
            let error: GenerationError
            do {
                let requests = batch.map(\.job.request)
                events(.sent(pictures: requests.count, megapixels: requests.reduce(0) { $0 + Double($1.width * $1.height) / 1_000_000 }))
                let answers = try await provider.generate(batch: requests)
                // An endpoint that answers per image may report a refused key or rate limits inside a 200:
                // act on them before the slot frees up, as for a whole call's failure.
                let failures = answers.compactMap(Self.failure(of:))
                if let fatal = failures.first(where: { $0.disposition == .stopRun }) { await halt(fatal.stopReason, gate: gate, stop: stop) }
                let paced = failures.first { $0.disposition == .pace }
                if let paced { await checkPatience(paced, gate: gate, stop: stop) }
                await gate.release(ticket, paced?.gateOutcome ?? .succeeded, delivered: answers.count - failures.count)
                var results: [GenerationResult] = []
                for (item, answer) in zip(batch, answers) {
                    if let result = await handle(answer, for: item, queue: queue, gate: gate, stop: stop) { results.append(result) }
                }
                return results
            } catch let caught {
                error = caught
                // Stop before the slot frees up, so no waiting worker sends another doomed request.
                if error.disposition == .stopRun { await halt(error.stopReason, gate: gate, stop: stop) }
                // Nothing has got through and the service cannot be reached: every request would fail alike.
                if case .transport(let failure) = error, failure.isUnreachable, await !gate.hasSucceeded {
                    let unreachable = StopReason.unreachable(host: provider.serviceHost ?? "the service", error: failure)
                    await halt(unreachable, gate: gate, stop: stop)
                    await gate.release(ticket, .failed)
                    // The stop's own line says why; the image is counted with the rest, not listed.
                    return finish(.failed(.stopped(stop.current ?? unreachable)))
                }
                if error.disposition == .pace { await checkPatience(error, gate: gate, stop: stop) }
                await gate.release(ticket, error.gateOutcome)
            }
            let retriesUsed = batch.map(\.retriesUsed).max() ?? 0
            switch error.disposition {
            case .pace:
                if let pause = await gate.pauseRemaining, stop.current == nil {
                    events(.paused(seconds: pause, cause: error.pauseCause))
                }
                report(error, for: batch, retryIn: nil)
            case .retry where retriesUsed < policy.retries && !Task.isCancelled:
                for index in batch.indices { batch[index].retriesUsed += 1 }
                let delay = policy.delay(beforeRetry: retriesUsed + 1, unitRandom: Double.random(in: 0...1))
                report(error, for: batch, retryIn: delay)
                do {
                    try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                } catch {
                    return finish(.interrupted)
                }
            case .retry, .fail:
                if error.isCancellation || Task.isCancelled { return finish(.interrupted) }
                return finish(.failed(.own(error.description)))
            case .stopRun:
                return finish(.failed(.stopped(stop.current ?? error.stopReason)))
            }
        }
    }

    /// Stops the run for `reason` (the first reason wins) and lets no waiting request start.
    private func halt(_ reason: StopReason, gate: RequestGate, stop: StopSignal) async {
        if stop.stop(reason) { events(.stopping(reason: reason.description)) }
        await gate.close()
    }

    /// A 429 or 503 that asks to wait longer than `--max-wait`, or that comes after `--max-wait`
    /// seconds without a success, stops the run: no default run waits forever.
    private func checkPatience(_ error: GenerationError, gate: RequestGate, stop: StopSignal) async {
        await gate.noteRefusal(error)
        let waited = await gate.secondsWithoutSuccess
        if let asked = error.retryAfter, asked > policy.maxWait {
            await halt(.overloaded(OverloadStop(error: error, waitAsked: asked, waited: nil, maxWait: policy.maxWait)), gate: gate, stop: stop)
        } else if waited > policy.maxWait {
            await halt(.overloaded(OverloadStop(error: error, waitAsked: nil, waited: waited, maxWait: policy.maxWait)), gate: gate, stop: stop)
        }
    }

    private static func failure(of answer: Result<ImagePayload, GenerationError>) -> GenerationError? {
        if case .failure(let error) = answer { return error }
        return nil
    }

    /// Converts, validates and stores one image of an answered batch; returns nil when it went back to the queue.
    private func handle(
        _ answer: Result<ImagePayload, GenerationError>, for item: QueuedJob, queue: JobQueue,
        gate: RequestGate, stop: StopSignal
    ) async -> GenerationResult? {
        let request = item.job.request
        let error: GenerationError
        switch answer {
        case .success(let payload):
            let picture: ImagePayload
            switch await ValidationThreads.prepare(payload, width: request.width, height: request.height) {
            case .success(let prepared): picture = prepared
            case .failure(let invalid): return retryOrFail(item, .invalidImage(invalid), queue: queue)
            }
            do {
                try (item.job.store ?? store).store(picture, id: request.id, key: item.job.key)
            } catch let output {
                await halt(.output(output), gate: gate, stop: stop)
                return finished(item, .failed(.stopped(stop.current ?? .output(output))))
            }
            return finished(item, .generated)
        case .failure(let failure):
            error = failure
        }
        if error.disposition == .stopRun {
            await halt(error.stopReason, gate: gate, stop: stop)
            return finished(item, .failed(.stopped(stop.current ?? error.stopReason)))
        }
        if stop.current != nil, error.disposition == .pace { return finished(item, .failed(.own(error.description))) }
        return retryOrFail(item, error, queue: queue)
    }

    private func retryOrFail(_ item: QueuedJob, _ error: GenerationError, queue: JobQueue) -> GenerationResult? {
        var item = item
        let retryable = error.disposition == .retry || error.disposition == .pace
        guard retryable, item.retriesUsed < policy.retries || error.disposition == .pace, !Task.isCancelled else {
            return finished(item, .failed(.own(error.description)))
        }
        if error.disposition == .retry { item.retriesUsed += 1 }
        events(.attemptFailed(id: item.job.label, attempt: item.attempts, error: error, retryIn: 0))
        queue.requeue(item)
        return nil
    }

    private func report(_ error: GenerationError, for batch: [QueuedJob], retryIn: Double?) {
        for item in batch {
            events(.attemptFailed(id: item.job.label, attempt: item.attempts, error: error, retryIn: retryIn))
        }
    }

    private func finished(_ item: QueuedJob, _ status: GenerationResult.Status) -> GenerationResult {
        let result = GenerationResult(
            job: item.job, status: status, attempts: item.attempts,
            duration: (ContinuousClock.now - item.queuedAt).seconds)
        events(.finished(result))
        return result
    }
}

extension GenerationError {
    package var gateOutcome: RequestGate.Outcome {
        if case .overloaded(let after) = self { return .overloaded(retryAfter: after) }
        return disposition == .pace ? .rateLimited(retryAfter: retryAfter) : .failed
    }

    package var pauseCause: PauseCause {
        if case .overloaded = self { return .refused(overloaded: true) }
        return .refused(overloaded: false)
    }

    package var isCancellation: Bool { self == .cancelled || self == .transport(.cancelled) }
}
