internal import CWsimgCurl
internal import CWsimgJPEG
internal import CWsimgPNG
import WsimgBasics
import WsimgGeneration
import WsimgImages
import WsimgJSON
import WsimgLibrary
import WsimgNetwork
import WsimgRun
import WsimgWorksheet

/// The C libraries wsimg runs with, for `--version` (as `curl -V` names its own).
package enum LibraryVersions {
    package static var line: String {
        let curl = String(cString: wsimg_curl_version())
        let ssl = String(cString: wsimg_curl_ssl_version())
        let png = String(cString: png_get_libpng_ver(nil))
        let turbo = wsimg_jpeg_turbo_version()
        let jpeg = turbo > 0 ? "libjpeg-turbo/\(turbo / 1_000_000).\(turbo / 1000 % 1000).\(turbo % 1000)" : "libjpeg/\(wsimg_jpeg_api_version())"
        return "libcurl/\(curl)" + (ssl.isEmpty ? "" : " (\(ssl))") + " libpng/\(png) \(jpeg)"
    }
}
