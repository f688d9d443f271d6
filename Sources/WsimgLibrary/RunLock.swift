import Foundation
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// One run at a time per images folder (and so per output worksheet): a second run waits for the
/// first, then finds its pictures present, so each picture is paid for once.
///
/// An `flock` on `.wsimg.lock` in the images folder: held for the run, released by the kernel when
/// the process ends however it ends (the file itself stays; it is never the lock's state). Where the
/// filesystem cannot lock (some network filesystems), the run goes on unlocked, with a warning.
package final class RunLock: Sendable {
    package static let fileName = ".wsimg.lock"

    package enum Outcome {
        /// `waited`: another run held it first (and may have changed the worksheet and the folder).
        case acquired(RunLock, waited: Bool)
        /// Another run holds it; `pid` is what that run wrote, if readable.
        case busy(pid: String?)
        case unsupported(String)
    }

    private let descriptor: Int32
    private let folder: String
    /// This run made the images folder (it was not there before the lock was taken).
    package let madeFolder: Bool

    private init(descriptor: Int32, folder: String, madeFolder: Bool) {
        self.descriptor = descriptor
        self.folder = folder
        self.madeFolder = madeFolder
    }

    deinit { close(descriptor) }

    /// Takes the lock of `folder` (created if missing). `wait`: block until the holder is done;
    /// `waiting` is called once first, with the holder's pid, if there is a wait.
    package static func acquire(in folder: String, wait: Bool, waiting: (String?) -> Void) throws(OutputError) -> Outcome {
        let made = !FileSystem.fileExists(atPath: folder)
        // A run that made the folder and then wrote nothing removes it, lock file and all
        // (`removeFolderIfUnused`): a lock taken on a file no longer there is taken again.
        while true {
            let outcome = try acquireOnce(in: folder, wait: wait, madeFolder: made, waiting: waiting)
            guard case .acquired(let lock, _) = outcome, !lock.isCurrent else { return outcome }
        }
    }

    /// Whether the lock file this lock holds is still the one in the folder.
    private var isCurrent: Bool {
        var held = stat()
        var named = stat()
        return fstat(descriptor, &held) == 0 && lstat(folder + "/" + Self.fileName, &named) == 0 && held.st_ino == named.st_ino
            && held.st_dev == named.st_dev
    }

    /// Removes the images folder when this run made it and it holds nothing but the lock file (a run
    /// that stopped before it wrote anything leaves nothing behind).
    package func removeFolderIfUnused() {
        guard madeFolder, let names = try? FileSystem.contentsOfDirectory(atPath: folder), names == [Self.fileName] else { return }
        unlink(folder + "/" + Self.fileName)
        rmdir(folder)
    }

    private static func acquireOnce(in folder: String, wait: Bool, madeFolder: Bool, waiting: (String?) -> Void) throws(OutputError) -> Outcome {
        do {
            try FileSystem.createDirectory(atPath: folder)
        } catch {
            throw .cannotCreateFolder(path: folder, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
        let path = folder + "/" + fileName
        let fd = try SafeOpen.stateFile(path)
        // Only a lock file of our own gets our pid: one planted by someone else (or linked elsewhere) is locked, never written.
        let ours = SafeOpen.isPrivate(fd, allowGroupWrite: true)
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                let reason = AtomicFile.lastError()
                close(fd)
                return .unsupported(reason)
            }
            let holder = RegularFile.read(fd, count: 32, at: 0)
            let pid = String(String(decoding: holder, as: UTF8.self).prefix(while: \.isNumber))
            guard wait, pid != String(getpid()) else {
                close(fd)
                return .busy(pid: pid.isEmpty ? nil : pid)
            }
            waiting(pid.isEmpty ? nil : pid)
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let reason = AtomicFile.lastError()
                    close(fd)
                    return .unsupported(reason)
                }
            }
            if ours { writePID(fd) }
            return .acquired(RunLock(descriptor: fd, folder: folder, madeFolder: madeFolder), waited: true)
        }
        if ours { writePID(fd) }
        return .acquired(RunLock(descriptor: fd, folder: folder, madeFolder: madeFolder), waited: false)
    }

    private static func writePID(_ fd: Int32) {
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }
}
