import Foundation
import Testing
import WsimgBasics
import WsimgCLI
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// The release tarball `make dist` packs (`make test` passes its path in WSIMG_DIST_TARBALL): its
/// layout, a binary that needs no Swift library, and that binary run where the toolchain is hidden.
enum DistTarball {
    static var path: String? { ProcessInfo.processInfo.environment["WSIMG_DIST_TARBALL"].flatMap { $0.isEmpty ? nil : $0 } }
}

@Suite(.enabled(if: DistTarball.path != nil, "run by `make test`, which packs the tarball first"))
struct DistTests {
    static var tarball: String? { DistTarball.path }

    /// Runs a command, returning its exit status and output.
    static func shell(_ command: String, in folder: String) async throws -> (code: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let exited = try Wsimg.launch(process)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (await exited.value, output)
    }

    func unpack() async throws -> (Scratch, String) {
        let scratch = try Scratch()
        let tarball = try #require(Self.tarball)
        #expect(try await Self.shell("tar -xzf '\(tarball)'", in: scratch.path).code == 0)
        return (scratch, scratch.path + "/wsimg-\(Version.current)")
    }

    @Test func theTarballHoldsEverythingAUserNeeds() async throws {
        let (scratch, root) = try await unpack()
        defer { withExtendedLifetime(scratch) {} }
        for path in [
            "bin/wsimg", "share/man/man1/wsimg.1", "share/bash-completion/completions/wsimg",
            "share/zsh/site-functions/_wsimg", "share/fish/vendor_completions.d/wsimg.fish",
            "README.md", "LICENSE", "CHANGELOG.md", "licenses/Swift-runtime-Apache-2.0.txt", "licenses/ICU.txt",
        ] {
            #expect(FileManager.default.fileExists(atPath: root + "/" + path), "\(path) is missing")
        }
        let tarball = try #require(Self.tarball)
        #expect(URL(fileURLWithPath: tarball).lastPathComponent.hasPrefix("wsimg-\(Version.current)-linux-"))
    }

    @Test func theBinaryNeedsNoSwiftLibrary() async throws {
        let (scratch, root) = try await unpack()
        let ldd = try await Self.shell("ldd '\(root)/bin/wsimg'", in: scratch.path)
        #expect(ldd.code == 0)
        #expect(!ldd.output.contains("libswift") && !ldd.output.contains("libFoundation") && !ldd.output.contains("libdispatch"))
        #expect(!ldd.output.contains("not found"))
        #expect(ldd.output.contains("libcurl") && ldd.output.contains("libpng16") && ldd.output.contains("libjpeg"))
    }

    /// As on a machine without Swift: the toolchain's folder hidden under an empty tmpfs, in a
    /// private mount namespace.
    @Test func itRunsWhereNoToolchainIs() async throws {
        let (scratch, root) = try await unpack()
        // The sample worksheet the README starts with.
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples/worksheet.json").path
        try FileManager.default.copyItem(atPath: sample, toPath: scratch.path + "/w.json")
        let toolchain = "/opt/swift"
        let command = """
            mount -t tmpfs tmpfs \(toolchain) && ! command -v swift >/dev/null && \
            '\(root)/bin/wsimg' --version && '\(root)/bin/wsimg' generate w.json --provider placeholder -q && \
            '\(root)/bin/wsimg' validate --worksheet w.json
            """
        let run = try await Self.shell("unshare -m sh -c \"\(command.replacingOccurrences(of: "\"", with: "\\\""))\"", in: scratch.path)
        #expect(run.code == 0, "\(run.output)")
        #expect(run.output.contains("wsimg \(Version.current)") && run.output.contains("libcurl/"))
        #expect(scratch.files(in: "w_images").count == 4)
    }

    @Test func makeInstallPutsEverythingUnderPrefix() async throws {
        let scratch = try Scratch()
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let install = try await Self.shell(
            "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C '\(repository)' install PREFIX=/usr/local DESTDIR='\(scratch.path)/root'", in: scratch.path)
        #expect(install.code == 0, "\(install.output)")
        for path in [
            "bin/wsimg", "share/man/man1/wsimg.1", "share/bash-completion/completions/wsimg",
            "share/zsh/site-functions/_wsimg", "share/fish/vendor_completions.d/wsimg.fish",
        ] {
            #expect(FileManager.default.fileExists(atPath: scratch.path + "/root/usr/local/" + path), "\(path) is missing")
        }
        // `make uninstall` takes back exactly that: no file is left (the folders may stay).
        let uninstall = try await Self.shell(
            "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C '\(repository)' uninstall PREFIX=/usr/local DESTDIR='\(scratch.path)/root'", in: scratch.path)
        #expect(uninstall.code == 0, "\(uninstall.output)")
        let left =
            FileManager.default.enumerator(atPath: scratch.path + "/root")?.allObjects.compactMap { $0 as? String }
            .filter { !Self.isFolder(scratch.path + "/root/" + $0) } ?? []
        #expect(left.isEmpty, "\(left)")
    }

    static func isFolder(_ path: String) -> Bool {
        var folder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &folder) && folder.boolValue
    }

    @Test func theManPageRendersAndTheCompletionsParse() async throws {
        let (scratch, root) = try await unpack()
        let man = try await Self.shell("MANWIDTH=80 man -l '\(root)/share/man/man1/wsimg.1'", in: scratch.path)
        #expect(man.code == 0)
        #expect(man.output.contains("EXIT STATUS") && man.output.contains("EXAMPLES") && man.output.contains("--max-wait"))
        #expect(try await Self.shell("bash -n '\(root)/share/bash-completion/completions/wsimg'", in: scratch.path).code == 0)
        #expect(try await Self.shell("zsh -n '\(root)/share/zsh/site-functions/_wsimg'", in: scratch.path).code == 0)
        #expect(try await Self.shell("fish -n '\(root)/share/fish/vendor_completions.d/wsimg.fish'", in: scratch.path).code == 0)
    }
}
