import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgWorksheet

/// Taking many worksheets' run locks without deadlock and without running out of file descriptors.
package enum RunLocks {
    /// What became of one worksheet's claim.
    package enum Claim: Sendable {
        /// It has nothing to generate, so it needs no lock.
        case notNeeded
        case held(RunLock?, waited: Bool)
        /// It cannot go on (said already).
        case refused

        package var held: (RunLock?, waited: Bool)? {
            if case .held(let lock, let waited) = self { return (lock, waited) }
            return nil
        }
    }

    /// Claims the images folders (nil: no claim needed) in the order of their real paths — the same
    /// order in every process — each folder once. `claim` takes one worksheet's lock.
    package static func claim(_ folders: [String?], claim: (Int) -> (RunLock?, waited: Bool)?) -> [Claim] {
        var claims = [Claim](repeating: .notNeeded, count: folders.count)
        // A folder's real path (symlinks resolved; the path itself while it does not exist yet).
        let real = folders.enumerated().compactMap { index, folder in folder.map { (index, WorksheetFile.target(of: $0)) } }
        let order = real.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.0)
        for index in order {
            claims[index] = claim(index).map { .held($0.0, waited: $0.waited) } ?? .refused
        }
        return claims
    }

    /// Glibc's enum for the resource, as `getrlimit` takes it.
    package static let openFiles = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)

    /// How many worksheets one group of a run may hold locks for: half the descriptors this process
    /// may open, less what the connections, pictures and files in flight need.
    package static func groupSize() -> Int {
        var limit = rlimit()
        guard getrlimit(Self.openFiles, &limit) == 0, limit.rlim_cur != rlim_t.max else { return 4096 }
        let soft = Int(clamping: limit.rlim_cur)
        return max(8, min(soft / 2, soft - 128))
    }

    /// Raises the soft limit on open files to the hard one, as build tools do: a run over a large
    /// folder of worksheets holds a lock file open for each.
    package static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Self.openFiles, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Self.openFiles, &limit)
    }
}
