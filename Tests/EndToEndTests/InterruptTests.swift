import Foundation
import Testing
import FakeUpstream
import WsimgCore

@Suite struct InterruptTests {
    @Test(arguments: [SIGINT, SIGTERM])
    func keepsWhatWasDoneAndExits130(signal: Int32) async throws {
        let secondRequestArrived = DispatchSemaphore(value: 0)
        let upstream = try FakeTogether { index, _ in
            guard index >= 1 else { return .none }
            secondRequestArrived.signal()
            return .hang
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 3))
        let started = try Wsimg.start(["generate", "w.json", "-j", "1"], in: scratch.path,
                                      environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL])
        // With -j 1 the second request starts only after the first image is written.
        #expect(secondRequestArrived.wait(timeout: .now() + 60) == .success)
        kill(started.process.processIdentifier, signal)
        let run = await Wsimg.finish(started)
        #expect(run.code == 130, "\(run.stderr)")
        #expect(run.stderr.contains("Interrupted: generated 1/3 images"))
        let sheet = try scratch.worksheet("w.json")
        let url = try #require(sheet.url("0-0"))
        try PNGValidator.validate(scratch.bytes(url), width: 400, height: 304)
        #expect(sheet.url("0-2") == nil)
        #expect(scratch.files(in: "w_images").count == 1)
        #expect(!scratch.files(in: ".").contains { $0.hasPrefix(".wsimg-") })
    }
}
