import WsimgBasics

/// Takes a response body chunk by chunk as it arrives, instead of the transport collecting it,
/// so a multi-megabyte image never has to sit in memory whole.
///
/// A sink is made for one transfer, fed only on the transport's thread, and handed over with the
/// response when the transfer is done; it is never used from two threads at once.
package protocol ResponseSink: AnyObject, Sendable {
    /// Returns false to abort the transfer.
    func consume(_ chunk: UnsafeRawBufferPointer) -> Bool
    /// The part of the body the sink kept as bytes (all of it, or all but a streamed field).
    var keptBody: [UInt8] { get }
}
