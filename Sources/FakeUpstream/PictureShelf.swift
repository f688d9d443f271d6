import Synchronization
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Pictures a URL answer pointed at, kept until downloaded once (a CDN link is single-use here, so a
/// test sees exactly one download per answer).
final class PictureShelf: Sendable {
    private let state = Mutex<(next: Int, pictures: [String: [UInt8]])>((0, [:]))

    func put(_ picture: [UInt8], ext: String) -> String {
        state.withLock { state in
            state.next += 1
            let name = "img-\(state.next).\(ext)"
            state.pictures[name] = picture
            return name
        }
    }

    func take(_ name: some StringProtocol) -> [UInt8]? {
        state.withLock { $0.pictures.removeValue(forKey: String(name)) }
    }
}
