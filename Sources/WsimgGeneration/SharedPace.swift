import Foundation
import Synchronization
import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// One pace for every wsimg process of this user that uses the same key on the same endpoint (as
/// `make -j3` runs them): the rate limit is the key's, not the process's.
///
/// GCRA over a tiny state file per key (named by a hash of endpoint and key, never the key), read,
/// changed and written under `flock` in microseconds, with the waiting done outside the lock: each
/// start takes the next free time, `tat = max(now, tat, penalty) + interval`. Until a 429 or 503 the
/// interval is 0 (no pacing). The first one sets it from the starts all processes made in the last
/// second; later ones lengthen it by 15% (several answering requests that started before the last
/// slow-down count as one) and push a penalty time (Retry-After) on everyone; successes shorten it
/// again. A state untouched for a minute is forgotten. Where the filesystem cannot lock, each process
/// paces alone (`RequestGate`), with a warning.
package final class SharedPace: Sendable {
    package struct State: Equatable {
        package var tat = 0.0
        package var interval = 0.0
        package var penaltyUntil = 0.0
        package var lastSlowDown = 0.0
        package var lastProbe = 0.0
        package var updated = 0.0
        package var starts: [Double] = []
        package var refusedStarts: [Double] = []
        /// Seconds between starts the API's `x-ratelimit-limit` headers allow (0: none seen), and when
        /// they were last seen.
        package var limitInterval = 0.0
        package var limitSeen = 0.0

        package static let forgetAfter = 60.0
        /// A rate learned from headers or 429s is kept this long (dynamic limits move), so the next run
        /// and other processes start at it instead of finding it again.
        package static let rememberRateFor = 300.0
        /// Starts at this share of the rate the headers give, for the jitter of the network.
        package static let headroom = 0.95
        package static let window = 1.0
        package static let kept = 64
        /// The longest any start may be put off: the file is shared, so what it says is bounded.
        package static let longestWait = 600.0

        /// The state as another process (or an attacker, or a clock set wrong) left it, made sane for
        /// `now`: state from the future or from long ago is forgotten, and every time is kept within
        /// `longestWait` of now.
        package func sanitised(now: Double) -> State {
            guard updated <= now + 1, now - updated <= Self.rememberRateFor else { return State() }
            var state = self
            if now - updated > Self.forgetAfter {
                // Long idle: the schedule is gone, the learned rates stay while they are fresh.
                state = State()
                state.updated = updated
                if now - lastSlowDown <= Self.rememberRateFor, lastSlowDown <= now { (state.interval, state.lastSlowDown) = (interval, lastSlowDown) }
                if now - limitSeen <= Self.rememberRateFor, limitSeen <= now { (state.limitInterval, state.limitSeen) = (limitInterval, limitSeen) }
                return state
            }
            if limitSeen > now || now - limitSeen > Self.rememberRateFor { (state.limitInterval, state.limitSeen) = (0, 0) }
            let latest = now + Self.longestWait
            state.tat = min(max(tat, 0), latest)
            state.penaltyUntil = min(max(penaltyUntil, 0), latest)
            state.lastSlowDown = min(max(lastSlowDown, 0), now)
            state.lastProbe = min(max(lastProbe, 0), now)
            state.starts = starts.filter { $0 <= latest }
            state.refusedStarts = refusedStarts.filter { $0 <= now }
            return state
        }

        package init() {}

        package init(text: String) {
            var fields: [String: [Double]] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard let name = parts.first else { continue }
                fields[String(name)] = parts.dropFirst().compactMap { Double($0) }.filter(\.isFinite)
            }
            let scalar = { (name: String) in fields[name]?.first ?? 0 }
            tat = scalar("tat")
            interval = max(0, min(scalar("interval"), 60))
            limitInterval = max(0, min(scalar("limit"), 60))
            limitSeen = scalar("limitseen")
            penaltyUntil = scalar("penalty")
            lastSlowDown = scalar("slowdown")
            lastProbe = scalar("probe")
            updated = scalar("updated")
            starts = fields["starts"] ?? []
            refusedStarts = fields["refused"] ?? []
        }

        package var text: String {
            "v1\ntat \(tat)\ninterval \(interval)\npenalty \(penaltyUntil)\nslowdown \(lastSlowDown)\nprobe \(lastProbe)\nupdated \(updated)\n"
                + "limit \(limitInterval)\nlimitseen \(limitSeen)\n"
                + "starts \(starts.map { String($0) }.joined(separator: " "))\nrefused \(refusedStarts.map { String($0) }.joined(separator: " "))\n"
        }
    }

    package let path: String
    package let now: @Sendable () -> Double

    /// Where the state files live: `$XDG_RUNTIME_DIR/wsimg`, else the cache folder, else a private
    /// folder in /tmp. Also the folders below a shared place (such as /tmp) that wsimg makes private.
    package static func folder(environment: [String: String]) -> (folder: String, privateFrom: String) {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let runtime = value("XDG_RUNTIME_DIR"), runtime.hasPrefix("/") { return (runtime + "/wsimg/pace", runtime + "/wsimg") }
        if let cache = StateFolders.cache(option: nil, disabled: false, environment: environment) { return (cache + "/pace", cache + "/pace") }
        let own = Paths.temporaryFolder(environment: environment) + "/wsimg-\(getuid())"
        return (own + "/pace", own)
    }

    /// The pace for `identity` (an endpoint and the key used there); nil (pace alone) if its file
    /// cannot be made or locked.
    package static func open(
        folder: String, identity: String,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) -> SharedPace? {
        try? opening(folder: folder, privateFrom: folder, identity: identity, now: now)
    }

    /// As `open`, saying why not. Every folder from `privateFrom` down to `folder` is created 0700
    /// and must be this user's alone: in a shared place another user could otherwise plant the
    /// state file (or a link in its place).
    package static func opening(
        folder: String, privateFrom: String, identity: String,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) throws(OutputError) -> SharedPace {
        var chain = [folder]
        while let last = chain.last, last.count > privateFrom.count, last.hasPrefix(privateFrom) { chain.append(Paths.folder(of: last)) }
        for each in chain.reversed() where each.count >= privateFrom.count {
            if let problem = SafeOpen.privateFolder(each) { throw .cannotWrite(path: each, reason: problem) }
        }
        let name = String(SHA256.hex(identity).prefix(32))
        let pace = SharedPace(path: folder + "/" + name, now: now)
        if let problem = pace.update({ _ in }) { throw .cannotWrite(path: pace.path, reason: problem) }
        return pace
    }

    package init(path: String, now: @escaping @Sendable () -> Double) {
        self.path = path
        self.now = now
    }

    /// Runs `change` on the state under the file's lock; returns why it could not, if it could not.
    @discardableResult
    package func update(_ change: (inout State) -> Void) -> String? {
        let fd: Int32
        do {
            fd = try SafeOpen.stateFile(path, mode: 0o600)
        } catch {
            if case .cannotWrite(_, let reason) = error { return reason }
            return error.description
        }
        defer { close(fd) }
        guard SafeOpen.isPrivate(fd) else { return "it is not this user's alone" }
        while flock(fd, LOCK_EX) != 0 { guard errno == EINTR else { return AtomicFile.lastError() } }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return AtomicFile.lastError() }
        let bytes = RegularFile.read(fd, count: min(Int(info.st_size), 1 << 16), at: 0)
        let time = now()
        var state = State(text: String(decoding: bytes, as: UTF8.self)).sanitised(now: time)
        change(&state)
        state.updated = time
        state.starts = Array(state.starts.filter { time - $0 <= State.window }.suffix(State.kept))
        state.refusedStarts = Array(state.refusedStarts.filter { time - $0 <= State.window }.suffix(State.kept))
        let text = Array(state.text.utf8)
        _ = ftruncate(fd, 0)
        return text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == text.count ? nil : AtomicFile.lastError()
    }

    /// A start taken: the seconds to wait for it (0: start now), why, and how many other processes
    /// started requests on this pace in the last few seconds.
    package struct Reservation: Sendable {
        package let wait: Double
        package let cause: PaceCause
        /// Other processes started requests on this pace in the last second.
        package let sharedWithOthers: Bool
    }

    /// Takes the next start time.
    package func reserve() -> Reservation {
        var wait = 0.0
        var cause = PaceCause.askedToWait
        var others = false
        update { state in
            let time = now()
            let paced = state.interval > 0 || state.limitInterval > 0
            let start = paced || state.penaltyUntil > time ? max(time, state.tat, state.penaltyUntil) : time
            if state.penaltyUntil >= start && state.penaltyUntil > time {
                cause = .askedToWait
            } else if state.limitInterval >= state.interval, state.limitInterval > 0 {
                cause = .serviceLimit(perSecond: 1 / state.limitInterval / State.headroom)
            } else {
                cause = .rateLimited
            }
            // The state keeps the last second's starts of every process; more than ours are others'.
            others = ownStarts.withLock { own in
                own.removeAll { time - $0 > State.window }
                defer { own.append(start) }
                return state.starts.filter { time - $0 <= State.window }.count > own.count
            }
            if state.interval > 0 {
                if state.lastProbe < state.lastSlowDown { state.lastProbe = state.lastSlowDown }
                if time - state.lastProbe >= 5 {
                    state.interval /= 1.1
                    state.lastProbe = time
                }
            }
            // The headers' rate, never faster than what 429s taught (the longer interval wins).
            if paced { state.tat = start + max(state.interval, state.limitInterval) }
            state.starts.append(start)
            wait = start - time
        }
        return Reservation(wait: min(max(0, wait), State.longestWait), cause: cause, sharedWithOthers: others)
    }

    /// Starts of this process in the last second, to tell them from other processes' in the shared state.
    private let ownStarts = Mutex<[Double]>([])

    /// The requests per second the state in `folder` says `identity` may make (from headers or 429s,
    /// recently), without creating or changing anything; nil when none is known.
    package static func knownRate(folder: String, identity: String, now: Double = Date().timeIntervalSince1970) -> Double? {
        let path = folder + "/" + String(SHA256.hex(identity).prefix(32))
        let fd = WsimgBasics.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let state = State(text: String(decoding: RegularFile.read(fd, count: 1 << 16, at: 0), as: UTF8.self)).sanitised(now: now)
        let interval = max(state.interval, state.limitInterval)
        return interval > 0 ? 1 / interval : nil
    }

    /// Whether a rate for this key is known (from headers or 429s, recently): then a run need not
    /// find it with a slow start.
    package var knowsRate: Bool {
        var known = false
        update { state in known = state.interval > 0 || state.limitInterval > 0 }
        return known
    }

    /// An answer's rate-limit headers: the limit sets the pace of every process on this key, and a
    /// window with nothing remaining holds every start until it resets.
    package func noteHeaders(_ headers: RateLimitHeaders) {
        update { state in
            let time = now()
            if let limit = headers.limit {
                state.limitInterval = min(60, 1 / (limit * State.headroom))
                state.limitSeen = time
            }
            if let hold = headers.holdFor { state.penaltyUntil = max(state.penaltyUntil, time + min(hold, 600)) }
        }
    }

    /// A request that started at `startedAt` (wall clock) was answered 503: the service is short of
    /// capacity, not this key over its rate. Everyone pauses briefly; the learned rate barely moves.
    package func overloaded(retryAfter: Double?) {
        update { state in
            let time = now()
            if state.interval > 0 { state.interval = min(60, state.interval * 1.05) }
            state.penaltyUntil = max(state.penaltyUntil, time + min(retryAfter ?? 1, 600))
        }
    }

    /// A request that started at `startedAt` (wall clock) was answered 429.
    package func rateLimited(startedAt: Double, retryAfter: Double?) {
        update { state in
            let time = now()
            state.refusedStarts.append(startedAt)
            if startedAt >= state.lastSlowDown {
                if state.interval == 0 {
                    let accepted =
                        state.starts.filter { time - $0 <= State.window }.count
                        - state.refusedStarts.filter { time - $0 <= State.window }.count
                    state.interval = 1 / max(0.5, 0.9 * Double(max(accepted, 1)))
                } else {
                    state.interval = min(60, state.interval / 0.85)
                }
                state.lastSlowDown = time
                state.tat = max(state.tat, time + state.interval)
            }
            if let retryAfter { state.penaltyUntil = max(state.penaltyUntil, time + min(retryAfter, 600)) }
        }
    }

    /// A request succeeded: the interval shortens a little.
    package func succeeded() {
        update { state in
            if state.interval > 0 { state.interval /= 1.01 }
        }
    }
}
