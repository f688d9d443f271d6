import Foundation
import Synchronization
import WsimgCore

/// A loopback stand-in for Together's `POST /v1/images/generations`: answers with a real PNG of the
/// requested size, or with whatever fault the test scripts for a request.
public final class FakeTogether: Sendable {
    public enum Fault: Sendable {
        case none
        case status(Int, body: String, headers: [String: String] = [:])
        case drop
        case hang
        /// Never answer; call `closed` when wsimg closes the connection (it gave up on the request).
        case hangUntilClosed(closed: @Sendable () -> Void)
        case garbageBody
        case invalidBase64
        case truncatedPNG
        case wrongSizePNG
        case jpegInstead
        case delay(Double)
    }

    /// Decides the fault for each request: `(request index, prompt) -> fault`.
    public typealias Script = @Sendable (_ index: Int, _ prompt: String) -> Fault

    public struct Seen: Sendable {
        public let prompt: String
        public let width: Int
        public let height: Int
        public let seed: Int?
        public let body: [String: String]
        public let authorization: String?
        public let path: String
    }

    private let server: HTTPServer
    private let seen: RequestLog<Seen>
    private let limiter: SlidingWindowLimiter?

    /// `rateLimit`: answer 429 beyond this many requests in any one second, as Together does.
    /// `realistic`: answer with photo-sized PNGs (see `realisticPNG`) instead of tiny flat ones.
    public init(latency: Double = 0, rateLimit: SlidingWindowLimiter? = nil, realistic: Bool = false,
                script: @escaping Script = { _, _ in .none }) throws {
        let seen = RequestLog<Seen>()
        self.seen = seen
        self.limiter = rateLimit
        server = try HTTPServer { request in
            if let rateLimit, let wait = rateLimit.admit() {
                return .respond(status: 429, headers: rateLimit.style.headers(wait),
                                body: Array(#"{"error":{"message":"rate limit exceeded"}}"#.utf8))
            }
            guard let root = try? JSONParser.parse(request.body),
                  let prompt = root["prompt"]?.stringValue,
                  let width = root["width"]?.numberValue.map(Int.init),
                  let height = root["height"]?.numberValue.map(Int.init) else {
                return .respond(status: 400, body: Array(#"{"error":{"message":"invalid request body"}}"#.utf8))
            }
            var fields: [String: String] = [:]
            if case .object(let members) = root.value {
                for member in members {
                    fields[member.key] = String(decoding: request.body[member.node.range], as: UTF8.self)
                }
            }
            seen.append(Seen(prompt: prompt, width: width, height: height, seed: root["seed"]?.numberValue.map(Int.init),
                               body: fields, authorization: request.headers["authorization"], path: request.path))
            let fault = script(request.index, prompt)
            if realistic, case .none = fault {
                return .respond(status: 200, body: Self.realisticBody(width: width, height: height), delay: latency)
            }
            return Self.reply(to: fault, width: width, height: height, prompt: prompt, latency: latency)
        }
    }

    public var baseURL: String { server.baseURL }
    public var requests: [Seen] { seen.all }
    public var requestCount: Int { server.requestCount }
    public var connectionCount: Int { server.connectionCount }
    public var maxConcurrentRequests: Int { server.maxConcurrentRequests }
    public var rateLimitedCount: Int { limiter?.rejected ?? 0 }
    public func stop() { server.stop() }

    static func reply(to fault: Fault, width: Int, height: Int, prompt: String, latency: Double) -> HTTPServer.Reply {
        func ok(_ body: String, delay: Double = latency) -> HTTPServer.Reply {
            .respond(status: 200, body: Array(body.utf8), delay: delay)
        }
        func image(_ png: [UInt8]) -> String { String(decoding: imageBody(png), as: UTF8.self) }
        switch fault {
        case .none: return ok(image(png(width: width, height: height, prompt: prompt)))
        case .delay(let seconds): return ok(image(png(width: width, height: height, prompt: prompt)), delay: seconds)
        case .status(let status, let body, let headers): return .respond(status: status, headers: headers, body: Array(body.utf8), delay: latency)
        case .drop: return .drop
        case .hang: return .hang
        case .hangUntilClosed(let closed): return .hangUntilClosed(closed: closed)
        case .garbageBody: return ok("<html>upstream hiccup</html>")
        case .invalidBase64: return ok(#"{"data":[{"b64_json":"@@not base64@@"}]}"#)
        case .truncatedPNG:
            let full = png(width: width, height: height, prompt: prompt)
            return ok(image(Array(full.prefix(full.count / 2))))
        case .wrongSizePNG: return ok(image(png(width: width + 16, height: height, prompt: prompt)))
        case .jpegInstead: return ok(image([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10] + Array("JFIF".utf8) + [UInt8](repeating: 0, count: 64)))
        }
    }

    /// Together's answer shape: `{"data":[{"b64_json":…}]}`.
    static func imageBody(_ png: [UInt8]) -> [UInt8] {
        Array((#"{"id":"fake","model":"m","object":"list","data":[{"index":0,"b64_json":""# + Base64.encode(png) + #""}]}"#).utf8)
    }

    /// A photo-like PNG (gradient plus noise, so it compresses about as badly as a real picture),
    /// made once per size and reused, so the fake itself costs little CPU.
    public static func realisticPNG(width: Int, height: Int) -> [UInt8] {
        realisticCache.withLock { cache in
            if let png = cache["\(width)x\(height)"] { return png }
            var state: UInt32 = 0x9E37_79B9
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for y in 0..<height {
                for x in 0..<width {
                    state ^= state << 13; state ^= state >> 17; state ^= state << 5
                    let noise = Int(state & 31)
                    let offset = (y * width + x) * 3
                    pixels[offset] = UInt8((x * 255 / width + noise) & 255)
                    pixels[offset + 1] = UInt8((y * 255 / height + noise) & 255)
                    pixels[offset + 2] = UInt8((128 + noise * 2) & 255)
                }
            }
            let png = try! PNGEncoder.encodeRGB(pixels, width: width, height: height)
            cache["\(width)x\(height)"] = png
            return png
        }
    }

    private static let realisticCache = Mutex<[String: [UInt8]]>([:])
    private static let realisticBodies = Mutex<[String: [UInt8]]>([:])

    /// The whole answer for a realistic picture, encoded once per size so serving it costs the fake nothing.
    public static func realisticBody(width: Int, height: Int) -> [UInt8] {
        if let body = realisticBodies.withLock({ $0["\(width)x\(height)"] }) { return body }
        let body = imageBody(realisticPNG(width: width, height: height))
        realisticBodies.withLock { $0["\(width)x\(height)"] = body }
        return body
    }

    public static func png(width: Int, height: Int, prompt: String) -> [UInt8] {
        let shade = UInt8(truncatingIfNeeded: StableHash.fnv1a64([prompt]))
        var pixels = [UInt8](repeating: shade, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 97) { pixels[i] = UInt8(truncatingIfNeeded: i) }
        return try! PNGEncoder.encodeRGB(pixels, width: width, height: height)
    }
}

/// What a fake upstream saw, in order of arrival.
public final class RequestLog<Entry: Sendable>: Sendable {
    private let entries = Mutex<[Entry]>([])
    public init() {}
    public func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }
    public var all: [Entry] { entries.withLock { $0 } }
}

/// Admits at most `perSecond` requests in any one-second window; says how long until the next slot.
public final class SlidingWindowLimiter: Sendable {
    public enum Style: Sendable {
        case seconds, fractionalSeconds, milliseconds, httpDate, none

        func headers(_ wait: Double) -> [String: String] {
            switch self {
            case .seconds: ["Retry-After": String(Int(wait.rounded(.up)))]
            case .fractionalSeconds: ["Retry-After": String(format: "%.3f", wait)]
            case .milliseconds: ["retry-after-ms": String(Int((wait * 1000).rounded(.up)))]
            case .httpDate:
                ["Retry-After": Self.httpDate(Date().addingTimeInterval(wait.rounded(.up) + 1))]
            case .none: [:]
            }
        }

        static func httpDate(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            return formatter.string(from: date)
        }
    }

    public let perSecond: Int
    public let style: Style
    private let state = Mutex<(admitted: [Double], rejected: Int)>(([], 0))

    public init(perSecond: Int, style: Style = .fractionalSeconds) {
        self.perSecond = perSecond
        self.style = style
    }

    public var rejected: Int { state.withLock { $0.rejected } }

    /// nil when admitted; otherwise the seconds until a slot frees.
    func admit() -> Double? {
        let now = ProcessInfo.processInfo.systemUptime
        return state.withLock { state in
            state.admitted.removeAll { now - $0 >= 1 }
            if state.admitted.count < perSecond {
                state.admitted.append(now)
                return nil
            }
            state.rejected += 1
            return max(0.001, 1 - (now - state.admitted[0]))
        }
    }
}
