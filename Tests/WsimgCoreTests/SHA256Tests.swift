import Foundation
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

@Suite struct SHA256Tests {
    /// FIPS 180-4 examples and one that spans two blocks.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func matchesTheStandardsExamples(text: String, digest: String) {
        #expect(SHA256.hex(text) == digest)
    }
}

@Suite struct PictureCacheEvictionTests {
    @Test func evictsTheLeastRecentlyUsedBeyondTheLimit() throws {
        let root = NSTemporaryDirectory() + "wsimg-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = PictureCache(root: root, limit: 2500)
        #expect(cache.problem() == nil)
        let source = root + "/source.png"
        for (index, age) in [300.0, 100.0, 200.0].enumerated() {
            #expect(FileManager.default.createFile(atPath: source, contents: Data(repeating: UInt8(index), count: 1000)))
            let key = PictureCache.contentKey(["picture \(index)"])
            cache.put(source, contentKey: key)
            var times = [
                timeval(tv_sec: Int(Date().timeIntervalSince1970 - age), tv_usec: 0),
                timeval(tv_sec: Int(Date().timeIntervalSince1970 - age), tv_usec: 0),
            ]
            #expect(utimes(cache.path(for: key), &times) == 0)
        }
        cache.evict()
        let left = (0..<3).map { FileManager.default.fileExists(atPath: cache.path(for: PictureCache.contentKey(["picture \($0)"]))) }
        #expect(left == [false, true, true])
    }

    @Test func theCachesPlace() {
        #expect(StateFolders.cache(option: nil, disabled: false, environment: ["HOME": "/h"]) == "/h/.cache/wsimg")
        #expect(StateFolders.cache(option: nil, disabled: false, environment: ["HOME": "/h", "XDG_CACHE_HOME": "/x"]) == "/x/wsimg")
        #expect(StateFolders.cache(option: nil, disabled: false, environment: ["HOME": "/h", "XDG_CACHE_HOME": "relative"]) == "/h/.cache/wsimg")
        #expect(StateFolders.cache(option: nil, disabled: false, environment: ["WSIMG_CACHE_DIR": "/w", "HOME": "/h"]) == "/w")
        #expect(StateFolders.cache(option: "/o", disabled: false, environment: ["WSIMG_CACHE_DIR": "/w"]) == "/o")
        #expect(StateFolders.cache(option: nil, disabled: true, environment: ["HOME": "/h"]) == nil)
        #expect(StateFolders.cache(option: nil, disabled: false, environment: [:]) == nil)
    }
}
