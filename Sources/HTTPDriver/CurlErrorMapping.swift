import Foundation
import CCurl

/// Maps libcurl result codes to operator-safe ``HTTPClientError`` values.
enum CurlErrorMapping {
    private static let tlsCodes: [CURLcode] = [
        CURLE_SSL_CONNECT_ERROR, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
        CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_PEER_FAILED_VERIFICATION,
        CURLE_USE_SSL_FAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CACERT_BADFILE,
        CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
        CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT,
    ]

    static func error(for code: CURLcode, request: HTTPRequest, message: String) -> HTTPClientError {
        let url = RedactedURL.render(request.url)
        let detail = safeDetail(code: code, message: message, request: request)
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(url: url, after: request.timeout)
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .couldNotConnect(url: url, detail: detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidURL(url: url, detail: detail)
        case CURLE_FILESIZE_EXCEEDED:
            return .tooLarge(url: url, maxBytes: request.maxResponseBytes)
        case _ where tlsCodes.contains(code):
            return .tls(url: url, detail: detail)
        default:
            return .other(url: url, detail: detail)
        }
    }

    /// libcurl's message (or the generic text for the code) with every request secret removed:
    /// URL userinfo/password/query and all request header values.
    private static func safeDetail(code: CURLcode, message: String, request: HTTPRequest) -> String {
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty, let generic = curl_easy_strerror(code) { text = String(cString: generic) }
        let secrets = RedactedURL.secrets(of: request.url) + request.headers.map(\.1).filter { $0.count >= 3 }
        return "\(RedactedURL.scrub(text, secrets: secrets)) (curl code \(code.rawValue))"
    }
}
