import Testing

@testable import WsimgCore

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

    /// A batch answered far later than the quickest was held up behind the route's retries: the rate
    /// becomes 85% of what was started in the second up to it, and batches are spaced by it.
    @Test func aHeldUpBatchSetsTheRateFromTheLoadThatCausedIt() throws {
        var pacer = BatchPacer(largest: 8)
        pacer.started(2, at: 0)
        pacer.answered(sent: 2, delivered: 2, startedAt: 0, at: 0.3)
        pacer.started(4, at: 0.3)
        pacer.answered(sent: 4, delivered: 4, startedAt: 0.3, at: 0.6)
        pacer.started(8, at: 0.9)
        let held1 = pacer.answered(sent: 8, delivered: 8, startedAt: 0.9, at: 2.2)
        #expect(held1)
        let rate = try #require(pacer.rate)
        // All 14 started within the second up to the held-up batch.
        #expect(abs(rate - 14 * BatchPacer.decrease) < 1e-9)
        let size = pacer.room(for: 8)
        #expect(size == BatchPacer.burst(rate: rate, largest: 8))
        pacer.started(size, at: 2.2)
        #expect(abs(pacer.delay(at: 2.2) - Double(size) / rate) < 1e-9)
    }

    /// Batches sent before a slow-down and answered after it were sent at the old pace: they count once.
    @Test func heldUpBatchesFromBeforeTheSlowDownCountOnce() throws {
        var pacer = BatchPacer(largest: 8)
        pacer.started(1, at: 0)
        pacer.answered(sent: 1, delivered: 1, startedAt: 0, at: 0.3)
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
        pacer.answered(sent: 3, delivered: 3, startedAt: 0, at: 1.5)
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
}
