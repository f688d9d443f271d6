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

/// `kill -9` at random moments, again and again: after each kill every name of the worksheet must
/// hold a whole worksheet, the old version or the new one (for a hard-linked one written in place,
/// once the next run has finished the copy the kill cut short).
@Suite struct KillLoopTests {
    enum Layout: String, CaseIterable {
        case plain, symlink, hardLinks, newOutput
    }

    /// A worksheet whose rewrite takes a while (a long text element is copied each time), so that
    /// kills land in the copy as well as before and after it.
    static func sheet() -> String {
        let text = String(repeating: "A long lesson text. ", count: 150_000)
        let images = (0..<12).map { #"{"type":"image-placeholder","properties":{"imagePrompt":"picture \#($0)","width":256,"height":256}}"# }
        return #"{"title":"kill","pages":[{"elements":[{"type":"body-text","properties":{"text":"\#(text)"}},\#(images.joined(separator: ","))]}]}"#
    }

    @Test(arguments: Layout.allCases)
    func everyNameHoldsAWholeWorksheetAfterEachKill(layout: Layout) async throws {
        let scratch = try Scratch()
        let original = Self.sheet()
        scratch.write("real.json", original)
        switch layout {
        case .plain, .newOutput: break
        case .symlink: #expect(symlink("real.json", scratch.path + "/w.json") == 0)
        case .hardLinks: #expect(link(scratch.path + "/real.json", scratch.path + "/partner.json") == 0)
        }
        let input = layout == .symlink ? "w.json" : "real.json"
        let output = layout == .newOutput ? ["-o", "out.json"] : []
        let extra = layout == .hardLinks ? ["--hard-links", "update"] : []
        let first = try await Wsimg.run(["generate", input, "--provider", "placeholder", "-q"] + output + extra, in: scratch.path)
        #expect(first.code == 0, "\(first.stderr)")
        // How long a run that rewrites the worksheet takes here, to spread the kills over it.
        let clock = ContinuousClock()
        let timed = try await clock.measure {
            _ = try await Wsimg.run(["generate", input, "--provider", "placeholder", "-q", "--embed"] + output + extra, in: scratch.path)
        }
        var span = max(10_000.0, Double(timed.components.attoseconds / 1_000_000_000_000) + Double(timed.components.seconds) * 1_000_000)
        var kills = 0
        var round = 0
        // A kill that comes after the run ended does not count: more rounds until 13 have landed, the
        // moments drawn from a span that shrinks when a run ended first and grows when it did not.
        while kills < 13, round < 80 {
            round += 1
            // Switching between embedded pictures and file links rewrites the worksheet every time.
            let embed = round % 2 == 0 ? ["--embed"] : []
            let started = try Wsimg.start(["generate", input, "--provider", "placeholder", "-q"] + output + extra + embed, in: scratch.path)
            try await Task.sleep(for: .microseconds(Int.random(in: 0...Int(span))))
            if started.process.isRunning, kill(started.process.processIdentifier, SIGKILL) == 0 {
                kills += 1
                span *= 1.1
            } else {
                span *= 0.7
            }
            _ = await Wsimg.finish(started)
            if layout == .hardLinks {
                // The next run finishes a copy the kill cut short.
                let repair = try await Wsimg.run(["prompts", input], in: scratch.path)
                #expect(repair.code == 0, "\(repair.stderr)")
                #expect(scratch.bytes("partner.json") == scratch.bytes("real.json"))
            }
            for name in layout == .newOutput ? ["real.json", "out.json"] : ["real.json"] where scratch.exists(name) || name == "real.json" {
                let sheet = try Worksheet(source: scratch.bytes(name))
                #expect(sheet.placeholders.map(\.prompt) == (0..<12).map { "picture \($0)" }, "\(name) after kill \(round)")
            }
        }
        #expect(kills >= 13)
        // And the next run, left alone, finishes the job: everything linked and nothing left over.
        let last = try await Wsimg.run(["generate", input, "--provider", "placeholder"] + output + extra, in: scratch.path)
        #expect(last.code == 0, "\(last.stderr)")
        #expect(!scratch.files(in: ".").contains { $0.hasPrefix(".wsimg-") && $0.hasSuffix(".tmp") })
        #expect(!scratch.exists(".real.json.wsimg-backup"))
    }
}
