import Foundation
import Synchronization
import WsimgBasics

/// The HTTP transport of a run: a few curl multi drivers (one thread each, at most one per core),
/// each new request going to the least busy. Receiving and decoding megabytes of base64 is the
/// transfer threads' work, so two of them keep a burst of answers from queueing behind one another.
package final class CurlMultiClient: HTTPTransport, Sendable {
    package struct TransferStats: Sendable {
        package var requests = 0
        package var connectionsOpened = 0
    }

    private let drivers: [CurlMultiDriver]

    /// `maxConnectionsPerHost` is shared out among the drivers, so the run never opens more.
    package init(
        maxConnectionsPerHost: Int, settings: NetworkSettings = NetworkSettings(),
        threads: Int = min(2, ProcessInfo.processInfo.activeProcessorCount)
    ) {
        let count = max(1, min(threads, maxConnectionsPerHost))
        drivers = (0..<count).map { index in
            CurlMultiDriver(
                maxConnectionsPerHost: maxConnectionsPerHost / count + (index < maxConnectionsPerHost % count ? 1 : 0),
                settings: settings)
        }
    }

    package func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let driver = drivers.min { $0.load.load(ordering: .relaxed) < $1.load.load(ordering: .relaxed) }!
        return try await driver.send(request)
    }

    /// Stops the drivers' threads; transfers still running fail as cancelled.
    package func shutdown() {
        for driver in drivers { driver.shutdown() }
    }

    package var transferStats: TransferStats {
        drivers.map(\.transferStats).reduce(into: TransferStats()) { total, stats in
            total.requests += stats.requests
            total.connectionsOpened += stats.connectionsOpened
        }
    }
}
