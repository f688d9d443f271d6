import FakeUpstream
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

/// Every colour type, bit depth and interlacing PNG allows, in memory and from a file. The 16-bit
/// kinds once overflowed the decode buffer (its stride was given in bytes; libpng counts components).
@Suite struct PNGKindsTests {
    @Test(arguments: TestPictures.allKinds)
    func decodesEveryKindFully(kind: TestPictures.Kind) throws {
        for (width, height) in [(1, 1), (7, 5), (33, 17)] {
            let png = TestPictures.png(width: width, height: height, kind: kind)
            try PNGValidator.validate(png, width: width, height: height)
            let path = NSTemporaryDirectory() + "wsimg-kind-\(UUID().uuidString).png"
            defer { unlink(path) }
            #expect(FileManager.default.createFile(atPath: path, contents: Data(png)))
            try PNGValidator.validate(fileAt: path, width: width, height: height)
        }
    }

    @Test(arguments: TestPictures.allKinds)
    func findsDamageInEveryKind(kind: TestPictures.Kind) {
        var png = TestPictures.png(width: 9, height: 9, kind: kind)
        png[png.count - 20] ^= 0xFF  // inside the last IDAT: its CRC no longer matches
        #expect(throws: ValidationError.self) { try PNGValidator.validate(png, width: 9, height: 9) }
    }
}
