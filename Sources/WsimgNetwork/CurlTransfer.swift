internal import CWsimgCurl
import WsimgBasics

/// One HTTP exchange on one curl easy handle. Lives from submission until curl reports it done;
/// its callbacks reach it through `CURLOPT_PRIVATE` / userdata pointers, never through captures.
package final class CurlTransfer: @unchecked Sendable {
    package let id: Int
    package let handle: UnsafeMutableRawPointer
    private let request: HTTPRequest
    private let settings: NetworkSettings
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var requestBody: UnsafeMutableRawBufferPointer
    package private(set) var responseBody: [UInt8] = []
    package private(set) var responseHeaders: [(name: String, value: String)] = []
    package private(set) var exceededLimit = false
    package var continuation: CheckedContinuation<HTTPResponse, any Error>?

    package init(id: Int, request: HTTPRequest, settings: NetworkSettings) throws(TransportError) {
        guard let handle = curl_easy_init() else { throw .other("could not start a network transfer") }
        self.id = id
        self.handle = handle
        self.request = request
        self.settings = settings
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        // POSTFIELDS does not copy, so the body must outlive the transfer.
        let body = request.body ?? []
        requestBody = .allocate(byteCount: max(1, body.count), alignment: 1)
        body.withUnsafeBytes { requestBody.copyMemory(from: $0) }
        try configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
        requestBody.deallocate()
    }

    private func configure() throws(TransportError) {
        let isPost = request.body != nil
        let standard = isPost ? ["Content-Type: application/json", "Accept: application/json", "Expect:"] : ["Accept: image/png, image/jpeg;q=0.9, */*;q=0.5"]
        for header in request.headers + standard {
            headerList = curl_slist_append(headerList, header)
        }
        let secure = request.url.lowercased().hasPrefix("https:")
        let me = Unmanaged.passUnretained(self).toOpaque()
        var codes = [
            wsimg_curl_set_defaults(handle),
            wsimg_curl_set_wait_for_multiplexing(handle, secure ? 1 : 0),
            wsimg_curl_set_url(handle, request.url),
            wsimg_curl_set_headers(handle, headerList),
            isPost ? wsimg_curl_set_post_body(handle, requestBody.baseAddress, request.body?.count ?? 0) : wsimg_curl_set_get(handle),
            wsimg_curl_set_user_agent(handle, settings.userAgent),
            wsimg_curl_set_ca(handle, settings.caBundle, settings.caFolder),
            wsimg_curl_set_no_proxy(handle, settings.noProxy),
            wsimg_curl_set_timeouts_ms(handle, Int(request.timeout * 1000), Int(request.connectTimeout * 1000)),
            wsimg_curl_set_error_buffer(handle, errorBuffer),
            wsimg_curl_set_private(handle, me),
            wsimg_curl_set_write_callback(
                handle,
                { data, size, count, userdata in
                    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
                    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
                }, me),
            wsimg_curl_set_header_callback(
                handle,
                { data, size, count, userdata in
                    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata!).takeUnretainedValue()
                    transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
                    return size * count
                }, me),
        ]
        // A proxy would read a key sent over plain http: such a request goes straight to its host.
        if request.carriesSecret && !secure { codes.append(wsimg_curl_disable_proxy(handle)) }
        if request.followRedirects && !request.carriesSecret {
            codes.append(wsimg_curl_set_follow_redirects(handle, 5, request.allowHTTPRedirects ? "http,https" : "https"))
        }
        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            throw .other("could not set up the request: \(String(cString: curl_easy_strerror(failed)))")
        }
    }

    private var receivedBytes = 0
    /// The answer is an error (not 2xx): only its first `errorBodyLimit` bytes are kept, for the
    /// message, and the sink (meant for a picture) is not fed.
    private var isErrorAnswer: Bool?
    package static let errorBodyLimit = 16 << 10

    /// Returning less than the chunk's size makes curl abort the transfer.
    private func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        guard receivedBytes + chunk.count <= request.maxResponseBytes else {
            exceededLimit = true
            return 0
        }
        receivedBytes += chunk.count
        if isErrorAnswer == nil {
            let status = wsimg_curl_response_code(handle)
            isErrorAnswer = !(200..<300).contains(status)
        }
        if isErrorAnswer == true {
            let room = Self.errorBodyLimit - responseBody.count
            if room > 0 { responseBody.append(contentsOf: chunk.prefix(room)) }
            return chunk.count
        }
        if let sink = request.sink {
            return sink.consume(chunk) ? chunk.count : 0
        }
        if responseBody.isEmpty, chunk.count > 0 {
            // Content-Length, when given, sizes the buffer once instead of growing it by doubling.
            let announced = responseHeaders.last(where: { $0.name == "content-length" }).flatMap { Int($0.value) } ?? (1 << 16)
            responseBody.reserveCapacity(min(request.maxResponseBytes, max(announced, chunk.count)))
        }
        responseBody.append(contentsOf: chunk)
        return chunk.count
    }

    private func receiveHeader(_ line: UnsafeRawBufferPointer) {
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            responseHeaders.removeAll()  // a new response (after 100 Continue, say)
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].lowercased()
        let value = String(text[text.index(after: colon)...]).trimmingWhitespace()
        responseHeaders.append((name, String(value)))
    }

    /// The outcome, once curl has reported the transfer done with `code`.
    func result(_ code: CURLcode) -> Result<HTTPResponse, TransportError> {
        if code == CURLE_OK {
            var response = HTTPResponse(
                status: wsimg_curl_response_code(handle), headers: responseHeaders,
                body: isErrorAnswer == true ? responseBody : request.sink?.keptBody ?? responseBody)
            response.httpVersion = wsimg_curl_http_version(handle)
            return .success(response)
        }
        let detail = String(cString: errorBuffer).isEmpty ? String(cString: curl_easy_strerror(code)) : String(cString: errorBuffer)
        switch code {
        case CURLE_WRITE_ERROR where exceededLimit: return .failure(.responseTooLarge(limit: request.maxResponseBytes))
        case CURLE_OPERATION_TIMEDOUT: return .failure(.timedOut(seconds: request.timeout))
        // What curl reports for a header line it will not hold (over 100 KB), not a lack of memory here.
        case CURLE_OUT_OF_MEMORY:
            return .failure(.connectionLost("the server sent a header line longer than curl accepts (100 KB)"))
        case CURLE_TOO_MANY_REDIRECTS, CURLE_UNSUPPORTED_PROTOCOL:
            return .failure(.refusedRedirect(detail))
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .failure(.couldNotConnect(detail))
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .failure(.connectionLost(detail))
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return .failure(.tls(detail))
        default:
            return .failure(.other(detail))
        }
    }

    package var connectionsOpened: Int { wsimg_curl_connects_opened(handle) }
}
