import FakeUpstream
import Foundation
import Testing
import WsimgBasics
import WsimgCLI
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// Samples/ci/wsimg-ci.sh, the CI recipe, run as a CI job would run it (against the loopback fake),
/// so the recipe cannot rot.
@Suite(.enabled(if: DistTarball.path != nil, "run by `make test`, which packs the tarball first"))
struct CIRecipeTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples/ci/wsimg-ci.sh").path

    func job(_ scratch: Scratch, _ upstream: FakeTogether, tarball given: String? = nil) async throws -> (code: Int32, output: String) {
        let tarball = try given ?? #require(DistTests.tarball)
        let environment =
            "HOME='\(scratch.path)' WSIMG_TARBALL='\(tarball)' WORKSHEET=worksheets/lesson.json "
            + "TOGETHER_API_KEY='\(Wsimg.secret)' TOGETHER_BASE_URL='\(upstream.baseURL)'"
        return try await DistTests.shell("env -i PATH=/usr/bin:/bin \(environment) sh '\(Self.script)'", in: scratch.path)
    }

    @Test func theRecipeGeneratesCachesAndFailsTheJobOnMissingPictures() async throws {
        let failing = FailSwitch()
        let upstream = try FakeTogether { _, prompt in
            failing.on && prompt.hasPrefix("Friendly") ? .status(400, body: #"{"error":{"message":"refused"}}"#) : .none
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path + "/worksheets", withIntermediateDirectories: true)
        scratch.write("worksheets/lesson.json", Sheets.sample(count: 3))

        let failed = try await job(scratch, upstream)
        #expect(failed.code == 1, "\(failed.output)")
        #expect(scratch.read("build/wsimg-report.json").contains(#""failed": 1"#))

        failing.on = false
        let passed = try await job(scratch, upstream)
        #expect(passed.code == 0, "\(passed.output)")
        #expect(upstream.requestCount == 4)
        // A job that restored build/lesson_images (the cache) asks for nothing.
        let cached = try await job(scratch, upstream)
        #expect(cached.code == 0)
        #expect(upstream.requestCount == 4)
    }
}

extension CIRecipeTests {
    /// `make dist` writes SHA256SUMS beside the tarball, and the recipe unpacks only a tarball it lists.
    @Test func theRecipeRefusesATarballItsChecksumsDoNotList() async throws {
        let upstream = try FakeTogether()
        defer { upstream.stop() }
        let scratch = try Scratch()
        let tarball = try #require(DistTests.tarball)
        let sums = try String(contentsOfFile: (tarball as NSString).deletingLastPathComponent + "/SHA256SUMS", encoding: .utf8)
        #expect(sums.contains((tarball as NSString).lastPathComponent))
        let copy = scratch.path + "/" + (tarball as NSString).lastPathComponent
        var bytes = try Data(contentsOf: URL(fileURLWithPath: tarball))
        bytes.append(0)
        try bytes.write(to: URL(fileURLWithPath: copy))
        try sums.write(toFile: scratch.path + "/SHA256SUMS", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: scratch.path + "/worksheets", withIntermediateDirectories: true)
        scratch.write("worksheets/lesson.json", Sheets.sample(count: 1))
        let refused = try await job(scratch, upstream, tarball: copy)
        #expect(refused.code == 2, "\(refused.output)")
        #expect(refused.output.contains("does not match SHA256SUMS"))
        #expect(upstream.requestCount == 0)
    }
}

final class FailSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var value = true
    var on: Bool {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
