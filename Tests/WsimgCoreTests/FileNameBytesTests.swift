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

/// Review 3, item 6: a file name's bytes come back exactly, whatever they are.
@Suite struct FileNameBytesTests {
    @Test(
        arguments: [
            Array("lesson.json".utf8), Array("урок.json".utf8), [0x6C, 0xFF, 0x2E, 0x6A], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80],
            [0xF4, 0x90, 0x80, 0x80], Array("\u{10FC80}x".utf8), [0xC0, 0xAF], [0x80, 0x80, 0xFE],
        ] as [[UInt8]])
    func namesComeBackAsTheBytesTheyWere(bytes: [UInt8]) {
        let name = FileNameBytes.decode(bytes)
        #expect(FileNameBytes.encode(name) == bytes)
        FileNameBytes.withPath(name) { path in
            #expect(Array(UnsafeBufferPointer(start: UnsafeRawPointer(path).assumingMemoryBound(to: UInt8.self), count: bytes.count)) == bytes)
        }
    }

    @Test func validUTF8IsPlainTextAndStrayBytesPrintEscaped() {
        #expect(FileNameBytes.decode(Array("урок.json".utf8)) == "урок.json")
        let latin1 = FileNameBytes.decode([0x6C, 0xFF, 0x2E, 0x6A, 0x73, 0x6F, 0x6E])
        #expect(TerminalText.safe(latin1) == "l\\xFF.json")
        #expect(Paths.imagesFolder(of: "/w/" + latin1) == "/w/l\u{FFFD}_images")
    }
}
