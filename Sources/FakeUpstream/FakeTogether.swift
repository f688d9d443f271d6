import Foundation
import Synchronization
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// A loopback stand-in for Together's `POST /v1/images/generations`, able to give every answer the
/// OpenAPI spec allows (`togethercomputer/openapi`, `ImageResponse`): `b64_json` or `url` items, PNG or
/// JPEG pictures (FLUX.1 schnell ignores `output_format`; the API's default is JPEG), and a spec check
/// that refuses values outside the documented enums with 400, as a strict server would. URL answers
/// point at a second server on `localhost` (another host name than the API's `127.0.0.1`), which,
/// like a CDN, refuses requests without a User-Agent and records whether a key arrived.
package final class FakeTogether: Sendable {
    package enum Fault: Sendable {
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
        /// A JPEG header and nothing decodable after it.
        case jpegInstead
        /// A well-formed picture in a format wsimg cannot convert.
        case gifInstead
        /// A 16-bit RGBA PNG (decoders must size their rows for two-byte samples).
        case sixteenBitPNG
        /// A JPEG of the wrong size: refused from its header.
        case wrongSizeJPEG
        case delay(Double)
        /// A valid answer with about this many bytes of `[0,0,…]` beside the picture (which wsimg must skip).
        case padded(Int)
        /// A 500 whose body is about this many bytes of `[[],[],…]`.
        case hugeErrorBody(Int)
    }

    /// What pictures the fake sends: as `output_format` asks (JPEG when it says nothing, the API's
    /// default), or always JPEG, as FLUX.1 schnell does whatever it is asked.
    package enum PictureFormat: Sendable {
        case asRequested, alwaysJPEG, alwaysPNG
    }

    /// How the picture travels: as `response_format` asks (`url` when it says nothing, the documented
    /// default), or always as a URL, or always inline.
    package enum Delivery: Sendable {
        case asRequested, alwaysURL, alwaysBase64
    }

    /// Decides the fault for each request: `(request index, prompt) -> fault`.
    package typealias Script = @Sendable (_ index: Int, _ prompt: String) -> Fault

    package struct Seen: Sendable {
        package let prompt: String
        package let width: Int
        package let height: Int
        package let seed: Int?
        package let body: [String: String]
        package let authorization: String?
        package let userAgent: String?
        package let path: String
    }

    /// A request for a picture's URL, as the image host saw it.
    package struct Download: Sendable {
        package let path: String
        package let authorization: String?
        package let userAgent: String?
        package let served: Bool
    }

    private let server: HTTPServer
    private let imageHost: HTTPServer
    private let seen: RequestLog<Seen>
    private let downloads: RequestLog<Download>
    private let limiter: SlidingWindowLimiter?
    private let pictures: PictureShelf

    /// `rateLimit`: answer 429 beyond this many requests in any one second, as Together does.
    /// `realistic`: answer with photo-sized PNGs (see `realisticPNG`) instead of tiny flat ones.
    /// `imageBaseURL`: where URL answers point (default: the image host on `localhost`); a test that
    /// routes downloads through a proxy names another host and serves them with `serveDownload`.
    package init(
        latency: Double = 0, rateLimit: SlidingWindowLimiter? = nil, realistic: Bool = false,
        format: PictureFormat = .asRequested, delivery: Delivery = .asRequested, imageBaseURL: String? = nil,
        script: @escaping Script = { _, _ in .none }
    ) throws {
        let seen = RequestLog<Seen>()
        let downloads = RequestLog<Download>()
        let pictures = PictureShelf()
        self.seen = seen
        self.downloads = downloads
        self.limiter = rateLimit
        self.pictures = pictures
        imageHost = try HTTPServer { request in Self.serveDownload(request, pictures: pictures, log: downloads) }
        let imageBase = imageBaseURL ?? "http://localhost:\(imageHost.port)"
        server = try HTTPServer { request in
            let reply = Self.answer(
                request, rateLimit: rateLimit, seen: seen, script: script, format: format, delivery: delivery, imageBase: imageBase,
                pictures: pictures, realistic: realistic, latency: latency)
            // Every answer says where the key stands, as Together's do (when the limiter is told to).
            return rateLimit?.sendsHeaders == true ? reply.adding(rateLimit!.headers()) : reply
        }
    }

    static func answer(
        _ request: HTTPServer.Request, rateLimit: SlidingWindowLimiter?, seen: RequestLog<Seen>, script: Script, format: PictureFormat,
        delivery: Delivery, imageBase: String, pictures: PictureShelf, realistic: Bool, latency: Double
    ) -> HTTPServer.Reply {
        do {
            guard request.method == "POST", request.path == "/v1/images/generations" else {
                return Self.error(404, "Not found: \(request.method) \(request.path)", type: "not_found")
            }
            if let rateLimit, let wait = rateLimit.admit() {
                return .respond(
                    status: 429, headers: rateLimit.style.headers(wait),
                    body: Array(#"{"error":{"message":"rate limit exceeded","type":"rate_limit"}}"#.utf8))
            }
            let parsed: SpecRequest
            switch SpecRequest.parse(request.body) {
            case .success(let request): parsed = request
            case .failure(let refusal): return Self.error(400, refusal.message, type: "invalid_request_error")
            }
            var fields: [String: String] = [:]
            if case .object(let members) = parsed.root.value {
                for member in members {
                    fields[member.key] = String(decoding: request.body[member.node.range], as: UTF8.self)
                }
            }
            seen.append(
                Seen(
                    prompt: parsed.prompt, width: parsed.width, height: parsed.height, seed: parsed.seed,
                    body: fields, authorization: request.headers["authorization"], userAgent: request.headers["user-agent"],
                    path: request.path))
            let fault = script(request.index, parsed.prompt)
            let jpeg = format == .alwaysJPEG || (format == .asRequested && parsed.outputFormat != "png")
            let asURL = delivery == .alwaysURL || (delivery == .asRequested && parsed.responseFormat != "base64")
            let answer = Answer(asURL: asURL, imageBase: imageBase, pictures: pictures)
            if case .none = fault, !jpeg, realistic, !asURL {
                return .respond(status: 200, body: Self.realisticBody(width: parsed.width, height: parsed.height), delay: latency)
            }
            if case .none = fault, !jpeg {
                let png =
                    realistic
                    ? Self.realisticPNG(width: parsed.width, height: parsed.height)
                    : Self.png(width: parsed.width, height: parsed.height, prompt: parsed.prompt)
                return .respond(status: 200, body: answer.body(png, ext: "png"), delay: latency)
            }
            if case .none = fault {
                return .respond(status: 200, body: answer.body(Self.jpeg(width: parsed.width, height: parsed.height), ext: "jpg"), delay: latency)
            }
            return Self.reply(to: fault, width: parsed.width, height: parsed.height, prompt: parsed.prompt, latency: latency, answer: answer)
        }
    }

    package var baseURL: String { server.baseURL }
    package var requests: [Seen] { seen.all }
    package var downloadRequests: [Download] { downloads.all }
    package var requestCount: Int { server.requestCount }
    package var connectionCount: Int { server.connectionCount }
    package var maxConcurrentRequests: Int { server.maxConcurrentRequests }
    package var rateLimitedCount: Int { limiter?.rejected ?? 0 }
    package func stop() {
        server.stop()
        imageHost.stop()
    }

    /// Serves a picture a URL answer named (for a proxy in front of a made-up image host, say).
    package func serveDownload(_ request: HTTPServer.Request) -> HTTPServer.Reply {
        Self.serveDownload(request, pictures: pictures, log: downloads)
    }

    static func serveDownload(_ request: HTTPServer.Request, pictures: PictureShelf, log: RequestLog<Download>) -> HTTPServer.Reply {
        let agent = request.headers["user-agent"]
        let name = request.path.split(separator: "/").last.map(String.init) ?? ""
        let picture = pictures.take(name.prefix(while: { $0 != "?" }))
        // CDNs refuse clients that do not say who they are.
        let served = request.method == "GET" && !(agent ?? "").isEmpty && picture != nil
        log.append(Download(path: request.path, authorization: request.headers["authorization"], userAgent: agent, served: served))
        guard let picture, served else {
            return .respond(status: picture == nil ? 404 : 403, headers: ["Content-Type": "text/html"], body: Array("<html>denied</html>".utf8))
        }
        return .respond(status: 200, headers: ["Content-Type": picture.starts(with: [0xFF, 0xD8]) ? "image/jpeg" : "image/png"], body: picture)
    }

    static func error(_ status: Int, _ message: String, type: String) -> HTTPServer.Reply {
        .respond(status: status, body: Array(#"{"error":{"message":\#(JSONWriter.quoted(message)),"type":"\#(type)","param":null,"code":null}}"#.utf8))
    }

    /// How one answer carries its picture: inline as `b64_json`, or as a `url` on the image host.
    struct Answer {
        let asURL: Bool
        let imageBase: String
        let pictures: PictureShelf

        func body(_ picture: [UInt8], ext: String) -> [UInt8] {
            guard asURL else { return FakeTogether.imageBody(picture) }
            let name = pictures.put(picture, ext: ext)
            return Array((#"{"id":"fake","model":"m","object":"list","data":[{"index":0,"type":"url","url":"\#(imageBase)/images/\#(name)?X-Amz-Signature=s3cr3t"}]}"#).utf8)
        }
    }

    static func reply(to fault: Fault, width: Int, height: Int, prompt: String, latency: Double, answer: Answer) -> HTTPServer.Reply {
        func ok(_ body: [UInt8], delay: Double = latency) -> HTTPServer.Reply { .respond(status: 200, body: body, delay: delay) }
        func ok(_ text: String) -> HTTPServer.Reply { ok(Array(text.utf8)) }
        switch fault {
        case .none: return ok(answer.body(png(width: width, height: height, prompt: prompt), ext: "png"))
        case .delay(let seconds): return ok(answer.body(png(width: width, height: height, prompt: prompt), ext: "png"), delay: seconds)
        case .status(let status, let body, let headers): return .respond(status: status, headers: headers, body: Array(body.utf8), delay: latency)
        case .padded(let bytes):
            let zeros = String(repeating: "0,", count: max(0, bytes / 2)) + "0"
            let picture = Base64.encode(png(width: width, height: height, prompt: prompt))
            return ok(#"{"id":"fake","padding":[\#(zeros)],"data":[{"index":0,"type":"b64_json","b64_json":"\#(picture)"}]}"#)
        case .hugeErrorBody(let bytes):
            return .respond(status: 500, body: Array(("[" + String(repeating: "[],", count: max(1, bytes / 3)) + "[]]").utf8), delay: latency)
        case .drop: return .drop
        case .hang: return .hang
        case .hangUntilClosed(let closed): return .hangUntilClosed(closed: closed)
        case .garbageBody: return ok("<html>upstream hiccup</html>")
        case .invalidBase64: return ok(#"{"data":[{"b64_json":"@@not base64@@"}]}"#)
        case .truncatedPNG:
            let full = png(width: width, height: height, prompt: prompt)
            return ok(answer.body(Array(full.prefix(full.count / 2)), ext: "png"))
        case .wrongSizePNG: return ok(answer.body(png(width: width + 16, height: height, prompt: prompt), ext: "png"))
        case .jpegInstead: return ok(answer.body([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10] + Array("JFIF".utf8) + [UInt8](repeating: 0, count: 64), ext: "jpg"))
        case .gifInstead: return ok(answer.body(Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0, 0x3B], ext: "gif"))
        case .sixteenBitPNG: return ok(answer.body(TestPictures.png16(width: width, height: height), ext: "png"))
        case .wrongSizeJPEG: return ok(answer.body(jpeg(width: width * 2, height: height), ext: "jpg"))
        }
    }

    /// Together's answer shape: `{"data":[{"b64_json":…}]}`.
    static func imageBody(_ png: [UInt8]) -> [UInt8] {
        Array((#"{"id":"fake","model":"m","object":"list","data":[{"index":0,"type":"b64_json","b64_json":""# + Base64.encode(png) + #""}]}"#).utf8)
    }

    /// A JPEG of the size, as FLUX.1 schnell answers.
    package static func jpeg(width: Int, height: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<pixels.count { pixels[i] = UInt8(truncatingIfNeeded: (i / 3) % width + (i % 3) * 60) }
        return ImageConverter.jpeg(rgb: pixels, width: width, height: height)!
    }

    /// A photo-like PNG (gradient plus noise, so it compresses about as badly as a real picture),
    /// made once per size and reused, so the fake itself costs little CPU.
    package static func realisticPNG(width: Int, height: Int) -> [UInt8] {
        realisticCache.withLock { cache in
            if let png = cache["\(width)x\(height)"] { return png }
            var state: UInt32 = 0x9E37_79B9
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for y in 0..<height {
                for x in 0..<width {
                    state ^= state << 13
                    state ^= state >> 17
                    state ^= state << 5
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
    package static func realisticBody(width: Int, height: Int) -> [UInt8] {
        if let body = realisticBodies.withLock({ $0["\(width)x\(height)"] }) { return body }
        let body = imageBody(realisticPNG(width: width, height: height))
        realisticBodies.withLock { $0["\(width)x\(height)"] = body }
        return body
    }

    package static func png(width: Int, height: Int, prompt: String) -> [UInt8] {
        let shade = UInt8(truncatingIfNeeded: StableHash.fnv1a64([prompt]))
        var pixels = [UInt8](repeating: shade, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 97) { pixels[i] = UInt8(truncatingIfNeeded: i) }
        return try! PNGEncoder.encodeRGB(pixels, width: width, height: height)
    }
}

/// What a fake upstream saw, in order of arrival.
package final class RequestLog<Entry: Sendable>: Sendable {
    private let entries = Mutex<[Entry]>([])
    package init() {}
    package func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }
    package var all: [Entry] { entries.withLock { $0 } }
}

/// Admits at most `perSecond` requests in any one-second window; says how long until the next slot.
package final class SlidingWindowLimiter: Sendable {
    package enum Style: Sendable {
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

    package let perSecond: Int
    package let style: Style
    /// Whether every answer carries Together's `x-ratelimit-limit`, `-remaining` and `-reset`.
    package let sendsHeaders: Bool
    /// A limit that changes: `(seconds after the first request, requests per second)`, in order.
    package let schedule: [(after: Double, perSecond: Int)]
    private let state = Mutex<(admitted: [Double], rejected: Int, start: Double?)>(([], 0, nil))

    package init(perSecond: Int, style: Style = .fractionalSeconds, sendsHeaders: Bool = false, schedule: [(after: Double, perSecond: Int)] = []) {
        self.perSecond = perSecond
        self.style = style
        self.sendsHeaders = sendsHeaders
        self.schedule = schedule
    }

    package var rejected: Int { state.withLock { $0.rejected } }

    private func limit(at now: Double, start: Double) -> Int {
        schedule.last { now - start >= $0.after }?.perSecond ?? perSecond
    }

    /// nil when admitted; otherwise the seconds until a slot frees.
    func admit() -> Double? {
        let now = ProcessInfo.processInfo.systemUptime
        return state.withLock { state in
            let start = state.start ?? now
            state.start = start
            let perSecond = limit(at: now, start: start)
            state.admitted.removeAll { now - $0 >= 1 }
            if state.admitted.count < perSecond {
                state.admitted.append(now)
                return nil
            }
            state.rejected += 1
            return max(0.001, 1 - (now - state.admitted[state.admitted.count - perSecond]))
        }
    }

    /// Where the key stands now, as Together's headers say it.
    func headers() -> [String: String] {
        let now = ProcessInfo.processInfo.systemUptime
        return state.withLock { state in
            let perSecond = limit(at: now, start: state.start ?? now)
            let current = state.admitted.filter { now - $0 < 1 }
            let reset = current.first.map { max(0, 1 - (now - $0)) } ?? 0
            return [
                "x-ratelimit-limit": String(perSecond), "x-ratelimit-remaining": String(max(0, perSecond - current.count)),
                "x-ratelimit-reset": String(format: "%.3f", reset),
            ]
        }
    }
}
