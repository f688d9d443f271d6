import Testing

@testable import WsimgBasics
@testable import WsimgCLI
@testable import WsimgGeneration
@testable import WsimgImages
@testable import WsimgJSON
@testable import WsimgLibrary
@testable import WsimgNetwork
@testable import WsimgRun
@testable import WsimgWorksheet

/// The pacing of batches to the web app's route, on a clock the test keeps.
@Suite struct BatchPacerTests {
    /// Opens like TCP's slow start: one picture alone, then one more picture in flight per picture delivered.
    @Test func picturesInFlightGrowWithDeliveries() {
        var pacer = BatchPacer(largest: 4)
        #expect(pacer.room(for: 8) == 1)
        pacer.started(1, at: 0)
        #expect(pacer.room(for: 8) == 0)
        pacer.answered(sent: 1, delivered: 1, startedAt: 0, at: 0.3)
        #expect(pacer.room(for: 8) == 2)
        pacer.started(2, at: 0.3)
        pacer.answered(sent: 2, delivered: 2, startedAt: 0.3, at: 0.6)
        #expect(pacer.room(for: 8) == 4)
        #expect(pacer.room(for: 3) == 3)
        pacer.started(4, at: 0.6)
        pacer.answered(sent: 4, delivered: 3, startedAt: 0.6, at: 0.9)
        #expect(pacer.window == 7)
        #expect(pacer.rate == nil)
        #expect(pacer.delay(at: 0.9) == 0)
    }

    /// A run that fits in one batch sends it at once, as the web app does: there is nothing to pace.
    @Test func aRunThatFitsInOneBatchGoesAtOnce() {
        #expect(BatchPacer(largest: 8, pictures: 8).room(for: 8) == 8)
        #expect(BatchPacer(largest: 8, pictures: 9).room(for: 8) == 1)
    }

    /// A batch answered about a second later than usual was held up behind the route's retries: the rate
    /// becomes 85% of what was started in the second up to it, and batches are spaced by it.
    @Test func aHeldUpBatchSetsTheRateFromTheLoadThatCausedIt() throws {
        var pacer = BatchPacer(largest: 8)
        pacer.started(2, at: 0)
        pacer.answered(sent: 2, delivered: 2, startedAt: 0, at: 0.3)
        pacer.started(4, at: 0.3)
        pacer.answered(sent: 4, delivered: 4, startedAt: 0.3, at: 0.6)
        pacer.started(6, at: 0.6)
        pacer.started(2, at: 0.9)
        pacer.answered(sent: 2, delivered: 2, startedAt: 0.9, at: 1.2)
        let held1 = pacer.answered(sent: 6, delivered: 6, startedAt: 0.6, at: 1.9)
        #expect(held1)
        let rate = try #require(pacer.rate)
        // The 2, 4 and 6 started within the second up to the held-up batch (the 2 after it are not).
        #expect(abs(rate - 12 * BatchPacer.decrease) < 1e-9)
        let size = pacer.room(for: 8)
        #expect(size == BatchPacer.burst(rate: rate, largest: 8))
        pacer.started(size, at: 1.9)
        #expect(abs(pacer.delay(at: 1.9) - Double(size) / rate) < 1e-9)
    }

    /// Batches sent before a slow-down and answered after it were sent at the old pace: they count once.
    @Test func heldUpBatchesFromBeforeTheSlowDownCountOnce() throws {
        var pacer = BatchPacer(largest: 8)
        pacer.started(1, at: 0)
        pacer.answered(sent: 1, delivered: 1, startedAt: 0, at: 0.3)
        pacer.started(1, at: 0.3)
        pacer.answered(sent: 1, delivered: 1, startedAt: 0.3, at: 0.6)
        pacer.started(2, at: 0.3)
        pacer.started(2, at: 0.35)
        let held2 = pacer.answered(sent: 2, delivered: 2, startedAt: 0.3, at: 1.6)
        #expect(held2)
        let rate = try #require(pacer.rate)
        let held3 = pacer.answered(sent: 2, delivered: 2, startedAt: 0.35, at: 1.65)
        #expect(held3)
        #expect(pacer.rate == rate)
        // A batch of the new pace that is held up lowers it again.
        pacer.started(1, at: 1.7)
        let held4 = pacer.answered(sent: 1, delivered: 1, startedAt: 1.7, at: 3.1)
        #expect(held4)
        #expect(abs((pacer.rate ?? 0) - rate * BatchPacer.decrease) < 1e-9)
    }

    /// Every few seconds without a held-up batch, the rate is tried 10% higher.
    @Test func theRateIsProbedUpward() throws {
        var pacer = BatchPacer(largest: 8)
        pacer.started(4, at: 0)
        pacer.answered(sent: 1, delivered: 1, startedAt: 0, at: 0.2)
        pacer.answered(sent: 1, delivered: 1, startedAt: 0, at: 0.2)
        pacer.answered(sent: 2, delivered: 2, startedAt: 0, at: 1.5)
        let rate = try #require(pacer.rate)
        pacer.started(1, at: 1.5 + BatchPacer.probeInterval)
        #expect(abs((pacer.rate ?? 0) - rate * BatchPacer.probeIncrease) < 1e-9)
    }

    /// No batch may be a burst of its own: sent every size/rate seconds, a second never holds more
    /// than the service's rate, and a batch is at most half a second's worth.
    @Test(arguments: [0.5, 1, 2.7, 4.25, 5.4, 5.95, 9, 20, 100])
    func batchesAreNoBurst(rate: Double) {
        let size = BatchPacer.burst(rate: rate, largest: 8)
        #expect((1...8).contains(size))
        if size > 1 {
            #expect(Double(size) <= rate / 2)
            #expect(Double(size) * (rate / Double(size)).rounded(.up) <= rate / BatchPacer.headroom + 1e-9)
        }
        #expect(BatchPacer.burst(rate: rate, largest: 1) == 1)
    }

    /// Held up means about a second later than usual (the route's wait before a retry), measured
    /// against the median of the last quick batches (two at least): answers that vary by less than
    /// 0.8 s are no congestion.
    @Test func answersThatVaryAreNotTakenForAFullService() {
        #expect(!BatchPacer.isHeldUp(5, usual: [0.3]))
        #expect(BatchPacer.isHeldUp(1.3, usual: [0.3, 0.3]))
        #expect(!BatchPacer.isHeldUp(1.0, usual: [0.3, 0.3]))
        // Pictures that take 1.2–2.1 s: 2.3 s is usual, 2.8 s (a retry's second more) is not.
        let usual = [1.2, 2.1, 1.6, 1.9, 1.4]
        #expect(!BatchPacer.isHeldUp(2.3, usual: usual))
        #expect(BatchPacer.isHeldUp(2.8, usual: usual))
        // One quick outlier does not move the median much.
        #expect(!BatchPacer.isHeldUp(2.3, usual: usual + [0.2]))

        var pacer = BatchPacer(largest: 8)
        for (index, took) in [1.2, 2.1, 1.6, 2.3, 1.4, 2.2].enumerated() {
            let start = Double(index) * 3
            pacer.started(1, at: start)
            pacer.answered(sent: 1, delivered: 1, startedAt: start, at: start + took)
        }
        #expect(pacer.rate == nil)
    }
}
