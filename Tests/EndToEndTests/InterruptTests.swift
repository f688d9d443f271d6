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

@Suite struct InterruptTests {
    /// Starts `wsimg generate w.json -j 1 EXTRA` on three pictures and returns once the first picture
    /// is written and the second request hangs: the moment to interrupt it.
    static func startHeldAtTheSecondPicture(_ scratch: Scratch, extra: [String] = []) async throws -> (FakeTogether, Wsimg.Started) {
        let secondRequestArrived = DispatchSemaphore(value: 0)
        let upstream = try FakeTogether { index, _ in
            guard index >= 1 else { return .none }
            scratch.holdUntilPicture(in: "w_images")
            secondRequestArrived.signal()
            return .hang
        }
        scratch.write("w.json", Sheets.sample(count: 3))
        let started = try Wsimg.start(
            ["generate", "w.json", "-j", "1"] + extra, in: scratch.path,
            environment: ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL])
        await secondRequestArrived.waitWithoutBlocking()
        return (upstream, started)
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func keepsWhatWasDoneAndExits130(signal: Int32) async throws {
        let scratch = try Scratch()
        let (upstream, started) = try await Self.startHeldAtTheSecondPicture(scratch)
        defer { upstream.stop() }
        kill(started.process.processIdentifier, signal)
        let run = await Wsimg.finish(started)
        #expect(run.code == 130, "\(run.stderr)")
        #expect(run.stderr.contains("Interrupted: 1 new, 0 already present, 0 failed, 2 not generated → w.json, w_images/"))
        #expect(run.stderr.contains("run the same command to continue"))
        #expect(!run.stderr.contains("0-2 \""))
        // Whichever picture came first is linked; the other two are not.
        let sheet = try scratch.worksheet("w.json")
        let linked = sheet.placeholders.filter { $0.url != nil }
        #expect(linked.count == 1, "\(run.stderr)")
        let done = try #require(linked.first)
        try PNGValidator.validate(
            scratch.bytes(try #require(sheet.link(done))), width: SizeRules.normalise(done.width),
            height: SizeRules.normalise(done.height))
        #expect(scratch.files(in: "w_images").count == 1)
        #expect(!scratch.files(in: ".").contains { $0.hasPrefix(".wsimg-") })
    }
}

@Suite struct SecondInterruptTests {
    /// The first Ctrl-C starts a clean stop, which here cannot finish: the worksheet goes to a pipe
    /// nobody reads. The second one must end the process at once.
    @Test(.timeLimit(.minutes(1))) func aSecondCtrlCExitsAtOnce() async throws {
        let arrived = DispatchSemaphore(value: 0)
        let abandoned = DispatchSemaphore(value: 0)
        let upstream = try FakeTogether { index, _ in
            guard index >= 1 else { return .none }
            arrived.signal()
            return .hangUntilClosed(closed: { abandoned.signal() })
        }
        defer { upstream.stop() }
        let scratch = try Scratch()
        scratch.write("w.json", Sheets.sample(count: 800))  // well over a pipe's 64 KiB buffer
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Wsimg.binary)
        process.arguments = ["generate", "w.json", "-j", "1", "-o", "-", "-q"]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        process.environment = ["TOGETHER_API_KEY": Wsimg.secret, "TOGETHER_BASE_URL": upstream.baseURL]
        let unread = Pipe()
        process.standardOutput = unread
        process.standardError = FileHandle.nullDevice
        let exited = try Wsimg.launch(process)
        await arrived.waitWithoutBlocking()
        kill(process.processIdentifier, SIGINT)
        // wsimg closing the hanging request's connection means it handled the first Ctrl-C.
        await abandoned.waitWithoutBlocking()
        kill(process.processIdentifier, SIGINT)
        let code = await exited.value
        #expect(code == 130)
        #expect(process.terminationReason == .exit)
        try? unread.fileHandleForReading.close()
    }
}

extension DispatchSemaphore {
    /// Waits on another thread, so Swift Testing's few threads stay free.
    func waitWithoutBlocking() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.wait()
                done.resume()
            }
        }
    }
}
