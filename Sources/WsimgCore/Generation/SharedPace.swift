import Foundation

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
public final class SharedPace: Sendable {
    struct State: Equatable {
        var tat = 0.0
        var interval = 0.0
        var penaltyUntil = 0.0
        var lastSlowDown = 0.0
        var lastProbe = 0.0
        var updated = 0.0
        var starts: [Double] = []
        var refusedStarts: [Double] = []

        static let forgetAfter = 60.0
        static let window = 1.0
        static let kept = 64

        init() {}

        init(text: String) {
            var fields: [String: [Double]] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard let name = parts.first else { continue }
                fields[String(name)] = parts.dropFirst().compactMap { Double($0) }.filter(\.isFinite)
            }
            let scalar = { (name: String) in fields[name]?.first ?? 0 }
            tat = scalar("tat")
            interval = max(0, min(scalar("interval"), 60))
            penaltyUntil = scalar("penalty")
            lastSlowDown = scalar("slowdown")
            lastProbe = scalar("probe")
            updated = scalar("updated")
            starts = fields["starts"] ?? []
            refusedStarts = fields["refused"] ?? []
        }

        var text: String {
            "v1\ntat \(tat)\ninterval \(interval)\npenalty \(penaltyUntil)\nslowdown \(lastSlowDown)\nprobe \(lastProbe)\nupdated \(updated)\n"
                + "starts \(starts.map { String($0) }.joined(separator: " "))\nrefused \(refusedStarts.map { String($0) }.joined(separator: " "))\n"
        }
    }

    let path: String
    let now: @Sendable () -> Double

    /// Where the state files live: `$XDG_RUNTIME_DIR/wsimg`, else the cache folder, else a private
    /// folder in /tmp.
    public static func folder(environment: [String: String]) -> String {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let runtime = value("XDG_RUNTIME_DIR"), runtime.hasPrefix("/") { return runtime + "/wsimg/pace" }
        if let cache = PictureCache.location(option: nil, disabled: false, environment: environment) { return cache + "/pace" }
        return Paths.temporaryFolder(environment: environment) + "/wsimg-\(getuid())/pace"
    }

    /// The pace for `identity` (an endpoint and the key used there); nil (pace alone) if its file
    /// cannot be made or locked.
    public static func open(
        folder: String, identity: String,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) -> SharedPace? {
        guard
            (try? FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])) != nil
        else { return nil }
        let name = String(SHA256.hex(identity).prefix(32))
        let pace = SharedPace(path: folder + "/" + name, now: now)
        return pace.update { _ in } ? pace : nil
    }

    init(path: String, now: @escaping @Sendable () -> Double) {
        self.path = path
        self.now = now
    }

    /// Runs `change` on the state under the file's lock; false if the file cannot be locked.
    @discardableResult
    func update(_ change: (inout State) -> Void) -> Bool {
        let fd = Foundation.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { guard errno == EINTR else { return false } }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        let bytes = RegularFile.read(fd, count: min(Int(info.st_size), 1 << 16), at: 0)
        var state = State(text: String(decoding: bytes, as: UTF8.self))
        let time = now()
        if time - state.updated > State.forgetAfter { state = State() }
        change(&state)
        state.updated = time
        state.starts = Array(state.starts.filter { time - $0 <= State.window }.suffix(State.kept))
        state.refusedStarts = Array(state.refusedStarts.filter { time - $0 <= State.window }.suffix(State.kept))
        let text = Array(state.text.utf8)
        _ = ftruncate(fd, 0)
        return text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == text.count
    }

    /// Takes the next start time; returns the seconds to wait for it (0: start now).
    public func reserve() -> Double {
        var wait = 0.0
        update { state in
            let time = now()
            let start = state.interval > 0 || state.penaltyUntil > time ? max(time, state.tat, state.penaltyUntil) : time
            if state.interval > 0 {
                if state.lastProbe < state.lastSlowDown { state.lastProbe = state.lastSlowDown }
                if time - state.lastProbe >= 5 {
                    state.interval /= 1.1
                    state.lastProbe = time
                }
                state.tat = start + state.interval
            }
            state.starts.append(start)
            wait = start - time
        }
        return max(0, wait)
    }

    /// A request that started at `startedAt` (wall clock) was answered 429 or 503.
    public func rateLimited(startedAt: Double, retryAfter: Double?) {
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
    public func succeeded() {
        update { state in
            if state.interval > 0 { state.interval /= 1.01 }
        }
    }
}
