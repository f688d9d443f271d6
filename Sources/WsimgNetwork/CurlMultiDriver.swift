internal import CWsimgCurl
import Foundation
import Synchronization
import WsimgBasics

/// One curl multi handle driven from one dedicated thread: no thread per request, nothing blocking
/// Swift's cooperative pool, and connections (and HTTP/2 streams) reused.
package final class CurlMultiDriver: @unchecked Sendable {
    private struct Inbox {
        package var added: [CurlTransfer] = []
        package var cancelled: Set<Int> = []
        package var nextID = 0
        package var stopping = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    private let stats = Mutex(CurlMultiClient.TransferStats())
    /// Transfers submitted and not yet finished, for spreading work over drivers.
    package let load = Atomic<Int>(0)
    /// Only touched on the driver thread.
    private var active: [Int: CurlTransfer] = [:]
    private let stopped = DispatchSemaphore(value: 0)

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private let settings: NetworkSettings

    package init(maxConnectionsPerHost: Int, settings: NetworkSettings) {
        _ = Self.globalInit
        self.settings = settings
        multi = curl_multi_init()
        wsimg_curl_multi_set_max_host_connections(multi, maxConnectionsPerHost)
        // Keep every connection a run may use open between requests (curl's default cache can be smaller).
        wsimg_curl_multi_set_max_cached_connections(multi, maxConnectionsPerHost)
        wsimg_curl_multi_enable_multiplexing(multi)
        let thread = Thread { [self] in self.driveLoop() }
        thread.name = "wsimg-curl"
        thread.start()
    }

    /// Stops the driver thread; transfers still running fail as cancelled.
    package func shutdown() {
        let alreadyStopping = inbox.withLock { inbox in
            defer { inbox.stopping = true }
            return inbox.stopping
        }
        guard !alreadyStopping else { return }
        curl_multi_wakeup(multi)
        stopped.wait()
        curl_multi_cleanup(multi)
    }

    package var transferStats: CurlMultiClient.TransferStats { stats.withLock { $0 } }

    package func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        load.add(1, ordering: .relaxed)
        defer { load.subtract(1, ordering: .relaxed) }
        let id = inbox.withLock { inbox in
            defer { inbox.nextID += 1 }
            return inbox.nextID
        }
        let transfer = try CurlTransfer(id: id, request: request, settings: settings)
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    transfer.continuation = continuation
                    inbox.withLock { inbox in
                        inbox.added.append(transfer)
                        // A cancel that raced ahead of this line found nothing to cancel yet.
                        if Task.isCancelled { inbox.cancelled.insert(id) }
                    }
                    curl_multi_wakeup(multi)
                }
            } onCancel: {
                inbox.withLock { _ = $0.cancelled.insert(id) }
                curl_multi_wakeup(multi)
            }
        } catch let error as TransportError {
            throw error
        } catch {
            throw .cancelled
        }
    }

    private func driveLoop() {
        var running: Int32 = 0
        while true {
            let (added, cancelled, stopping) = inbox.withLock { inbox in
                defer {
                    inbox.added.removeAll()
                }
                return (inbox.added, inbox.cancelled, inbox.stopping)
            }
            for transfer in added {
                if cancelled.contains(transfer.id) || stopping {
                    finish(transfer, with: .failure(.cancelled))
                } else {
                    active[transfer.id] = transfer
                    curl_multi_add_handle(multi, transfer.handle)
                }
            }
            for id in cancelled {
                if let transfer = active[id] { finish(transfer, with: .failure(.cancelled)) }
            }
            if !cancelled.isEmpty {
                // Ids of transfers no longer here are done; forget them so the set stays small.
                inbox.withLock { inbox in inbox.cancelled.subtract(cancelled.filter { id in !inbox.added.contains { $0.id == id } }) }
            }
            if stopping {
                for transfer in Array(active.values) { finish(transfer, with: .failure(.cancelled)) }
                stopped.signal()
                return
            }
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard wsimg_curl_msg_is_done(message) != 0,
                    let pointer = wsimg_curl_get_private(wsimg_curl_msg_handle(message))
                else { continue }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(pointer).takeUnretainedValue()
                finish(transfer, with: transfer.result(wsimg_curl_msg_result(message)))
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func finish(_ transfer: CurlTransfer, with result: Result<HTTPResponse, TransportError>) {
        if active.removeValue(forKey: transfer.id) != nil {
            curl_multi_remove_handle(multi, transfer.handle)
            stats.withLock {
                $0.requests += 1
                $0.connectionsOpened += transfer.connectionsOpened
            }
        }
        let continuation = transfer.continuation
        transfer.continuation = nil
        continuation?.resume(with: result.mapError { $0 as any Error })
    }
}
