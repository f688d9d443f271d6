import WsimgBasics
import WsimgImages
import WsimgJSON
import WsimgNetwork
import WsimgWorksheet

/// Fetches a picture Together answered with as a URL (on its CDN, another host): with the same
/// transport, timeouts and size cap as the API calls, streamed into a file in the images folder,
/// and never with the API key.
package struct ImageDownloader: Sendable {
    package let transport: any HTTPTransport
    package let timeout: Double
    package let spoolDirectory: String?
    package let allowInsecureHTTP: Bool

    /// `mark`: wsimg's mark for the picture (`PictureMark`), put into it as it streams in.
    /// `folder`: where to stream it (the images folder it will be kept in), else the downloader's own.
    package func fetch(_ text: String, mark: [UInt8]? = nil, into folder: String? = nil) async throws(GenerationError) -> ImagePayload {
        let url: ServiceURL
        do {
            url = try ServiceURL(text)
            try url.checkTransport(allowInsecureHTTP: allowInsecureHTTP)
        } catch {
            throw .unusableAnswer("the picture's URL (\(ServiceEndpoints.safeDisplay(text))) cannot be fetched: \(error)")
        }
        let sink = (folder ?? spoolDirectory).map { FileSink(directory: $0, mark: mark) }
        do {
            return try await fetch(url, sink: sink)
        } catch {
            // A failed download's partial picture goes now, not when the transfer is released.
            sink?.file?.discard()
            throw error
        }
    }

    private func fetch(_ url: ServiceURL, sink: FileSink?) async throws(GenerationError) -> ImagePayload {
        var request = HTTPRequest(url: url.string, body: nil, timeout: timeout, sink: sink)
        request.followRedirects = true
        request.allowHTTPRedirects = allowInsecureHTTP
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw error == .cancelled ? .cancelled : .transport(error)
        }
        try UpstreamStatus.check(response, from: .pictureDownload, url: url.display, redactor: Redactor(secrets: []))
        guard let sink else { return .bytes(response.body) }
        if let failure = sink.writeError { throw .localWrite(failure) }
        if let file = sink.file, !file.finish(), let failure = file.writeError { throw .localWrite(failure) }
        if let problem = sink.problem { throw .badResponse(problem) }
        guard let file = sink.file else { throw .badResponse("the picture's URL answered with no data") }
        return .spooled(file)
    }
}

/// Streams a whole response body into a spooled file, created with the first byte.
package final class FileSink: ResponseSink, @unchecked Sendable {
    private let directory: String
    private let mark: [UInt8]?
    package private(set) var file: SpooledFile?
    package private(set) var problem: String?
    package private(set) var writeError: OutputError?

    package init(directory: String, mark: [UInt8]? = nil) {
        self.directory = directory
        self.mark = mark
    }

    package var keptBody: [UInt8] { [] }

    package func consume(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard problem == nil else { return false }
        if file == nil {
            do {
                file = try SpooledFile(in: directory, mark: mark)
            } catch {
                writeError = error
                problem = error.description
                return false
            }
        }
        file?.append(chunk)
        return true
    }
}
