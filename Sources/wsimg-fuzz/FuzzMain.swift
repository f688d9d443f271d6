import FakeUpstream
import Foundation
import WsimgBasics
import WsimgCLI
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

// Fuzz harnesses for what reads untrusted bytes: the streaming worksheet reader (held to the tree parser,
// and the writer that splices URLs in), the image path (base64, PNG header, full libpng decode), and the streaming reader of
// Together's answers, checked against the in-memory one.
//
// Built by `make fuzz` with `-sanitize=fuzzer -D FUZZING`, it is a libFuzzer binary. Built normally,
// it replays files, so a crash found once stays a test: `wsimg-fuzz worksheet FILE…`.

enum Harness: String, CaseIterable {
    case worksheet, png, answer, pngkinds, manifest

    func run(_ bytes: [UInt8]) {
        switch self {
        case .worksheet: fuzzWorksheet(bytes)
        case .png: fuzzImage(bytes)
        case .answer: fuzzAnswer(bytes)
        case .pngkinds: fuzzPNGKinds(bytes)
        case .manifest: fuzzManifest(bytes)
        }
    }
}

/// The images folder's manifest of choices and candidates (`.wsimg-redo.json`), which anyone who can
/// write the folder controls: reading it never crashes, every candidate it yields names a picture
/// file inside the folder, and what wsimg writes back reads back the same.
func fuzzManifest(_ input: [UInt8]) {
    let folder = "/images"
    let manifest = RedoManifest.parse(input, folder: folder)
    for candidate in manifest.candidates.values.joined() {
        guard !candidate.file.contains("/"), !candidate.file.hasPrefix("."), ImageStore.key(inFileName: candidate.file) == candidate.key,
            candidate.path == folder + "/" + candidate.file
        else { fatalError("a candidate outside its folder: \(candidate.file)") }
    }
    let written = manifest.serialized(for: folder)
    let again = RedoManifest.parse(Array(written.utf8), folder: folder)
    guard again.serialized(for: folder) == written else { fatalError("the manifest does not read back as written") }
    guard again.redoSeeds.count == manifest.redoSeeds.count else { fatalError("seeds lost on the way back") }
}

/// Structure-aware: the fuzzer picks width, height, colour type, bit depth, interlacing and the pixel
/// bytes (row filters included), and gets a well-formed PNG of exactly that, so every branch of the
/// decoder is reached, 16-bit and palette kinds included (byte mutations of 8-bit seeds almost never
/// produce one with valid CRCs and zlib data). Every such PNG must validate, from memory and from a
/// file, and go through the pipeline's conversion step unchanged.
func fuzzPNGKinds(_ input: [UInt8]) {
    guard input.count >= 3 else { return }
    let kinds = TestPictures.allKinds
    let kind = kinds[Int(input[0]) % kinds.count]
    let width = Int(input[1] % 64) + 1
    let height = Int(input[2] % 64) + 1
    let png = TestPictures.png(width: width, height: height, kind: kind, noise: Array(input.dropFirst(3)))
    do {
        try PNGValidator.validate(png, width: width, height: height)
        guard try ImageConverter.png(from: png, width: width, height: height) == png else { fatalError("a PNG was converted") }
        let path = spoolFolder + "/kind.png"
        guard FileManager.default.createFile(atPath: path, contents: Data(png)) else { return }
        try PNGValidator.validate(fileAt: path, width: width, height: height)
    } catch {
        fatalError("a well-formed \(kind) PNG of \(width)×\(height) was refused: \(error)")
    }
    // And a damaged copy must be refused, never crash.
    var damaged = png
    damaged[(Int(input[1]) * 7919) % damaged.count] ^= 0x5A
    _ = try? PNGValidator.validate(damaged, width: width, height: height)
}

let spoolFolder: String = {
    let path = NSTemporaryDirectory() + "wsimg-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// The first byte picks a chunk size (and whether the body is read as Together's answer or as the
/// batch route's); the rest is an answer body. The streaming readers must agree with the tree parser
/// (`ReferenceAnswer`): the same answer or the same error, word for word; and whenever the tree finds
/// a base64 image, the spool must have streamed exactly its bytes into the file.
func fuzzAnswer(_ input: [UInt8]) {
    guard let first = input.first else { return }
    let body = Array(input.dropFirst())
    if first & 0x80 != 0 {
        fuzzBatchAnswer(body)
        return
    }
    let expected = ReferenceAnswer.together(body)
    let streamed = Result { () throws(GenerationError) in try TogetherAnswer.parse(body) }
    guard ReferenceAnswer.comparable("\(streamed)") == ReferenceAnswer.comparable("\(expected)") else { fatalError("the streaming answer reader disagrees: \(streamed) against \(expected)") }
    let spool = Base64FieldSpool(field: "b64_json", directory: spoolFolder)
    let chunk = Int(first % 16) + 1
    var offset = 0
    while offset < body.count {
        let end = min(offset + chunk, body.count)
        _ = body[offset..<end].withUnsafeBytes { spool.consume($0) }
        offset = end
    }
    let shape = Result { () throws(GenerationError) in try spool.answer() }
    let file = spool.finish()
    defer { file?.discard() }
    guard case .success(.base64(let encoded)) = expected, let image = Base64.decode(encoded) else { return }
    guard case .success(.base64) = shape else { fatalError("the spooled answer lost its shape: \(shape)") }
    guard let file, let spooled = FileManager.default.contents(atPath: file.path), Array(spooled) == image else {
        fatalError("the streamed image differs from the parsed one (problem: \(spool.problem ?? "none"))")
    }
}

/// The batch route's answer for three requests, streamed against the tree.
func fuzzBatchAnswer(_ body: [UInt8]) {
    let ids = ["a", "b", "0-1"]
    let requests = ids.map { ImageRequest(id: $0, caption: nil, prompt: "p", promptToSend: "p", width: 256, height: 256, seed: 1) }
    func summary(_ answers: Result<[Result<ImagePayload, GenerationError>], GenerationError>) -> String {
        switch answers {
        case .failure(let error): return "failure: \(error)"
        case .success(let list):
            return list.map { answer in
                switch answer {
                case .success(.bytes(let bytes)): "image \(bytes)"
                case .success(.spooled): "spooled"
                case .failure(let error): "error \(error)"
                }
            }.joined(separator: "; ")
        }
    }
    let expected = ReferenceAnswer.comparable(summary(ReferenceAnswer.batch(body, ids: ids)))
    let streamed = ReferenceAnswer.comparable(summary(Result { () throws(GenerationError) in try RemoteProvider.answers(in: body, for: requests) }))
    guard streamed == expected else { fatalError("the streaming batch reader disagrees: \(streamed) against \(expected)") }
}

/// The streaming reader, fed in chunks of a size the input picks, must agree with the tree parser
/// (errors word for word, placeholders field by field); linking every placeholder must give valid
/// JSON with the same placeholders, each pointing at its link.
func fuzzWorksheet(_ bytes: [UInt8]) {
    let chunkSize = 1 + Int(bytes.first ?? 0) % 17
    let reference = ReferenceWorksheet.read(bytes)
    let streamed = ReferenceWorksheet.streamed(bytes, chunkSize: chunkSize)
    guard reference.agrees(with: streamed) else { fatalError("the streaming reader disagrees: \(streamed) against \(reference)") }
    guard let sheet = try? Worksheet(source: bytes, chunkSize: chunkSize) else { return }
    let links = Dictionary(uniqueKeysWithValues: sheet.placeholders.map { ($0.id, "w_images/\($0.id)-0123456789ab.png") })
    guard let edited = try? WorksheetWriter.edited(sheet, urls: links) else { fatalError("linking a valid worksheet failed") }
    guard case .placeholders(let again) = ReferenceWorksheet.read(edited) else { fatalError("linking a valid worksheet made invalid JSON") }
    guard again.map(\.id) == sheet.placeholders.map(\.id), again.allSatisfy({ $0.url == links[$0.id] }) else {
        fatalError("linking changed the placeholders")
    }
}

func fuzzImage(_ bytes: [UInt8]) {
    // As received: base64 text first, then the PNG checks on whatever it decodes to, and on the raw bytes.
    let decoded = bytes.withUnsafeBytes { Base64.decode($0) }
    for candidate in [bytes, decoded].compactMap({ $0 }) {
        guard let header = try? PNGValidator.header(of: candidate) else { continue }
        try? PNGValidator.validate(candidate, width: header.width, height: header.height)
    }
}

let harness: Harness = {
    let name = ProcessInfo.processInfo.environment["WSIMG_FUZZ"] ?? "worksheet"
    guard let harness = Harness(rawValue: name) else {
        fatalError("WSIMG_FUZZ must be one of: \(Harness.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return harness
}()

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        harness.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // libFuzzer's own entry point: the name is the C symbol's.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: FuzzCallback
    ) -> Int32
#endif

@main
struct FuzzMain {
    static func main() {
        _ = harness
        #if FUZZING
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
        #else
            for path in CommandLine.arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else { fatalError("cannot read \(path)") }
                harness.run(Array(data))
            }
        #endif
    }
}
