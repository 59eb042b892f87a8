/// A failed HTTP transfer. The description is safe to show an operator: it names the URL
/// without userinfo, query or fragment, and never contains request header values.
package struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case timeout
        case couldNotConnect
        case tls
        case tooLarge
        case invalidURL
        case invalidRequest
        case shutDown
        case other
    }

    private let code: Code
    /// Redacted URL, see ``RedactedURL``.
    package let url: String
    /// Operator-safe detail (libcurl message with request secrets scrubbed).
    package let detail: String
    private let limit: String

    private init(_ code: Code, url: String, detail: String, limit: String = "") {
        self.code = code
        self.url = url
        self.detail = detail
        self.limit = limit
    }

    package var isTimeout: Bool { code == .timeout }
    package var isCouldNotConnect: Bool { code == .couldNotConnect }
    package var isTLS: Bool { code == .tls }
    package var isTooLarge: Bool { code == .tooLarge }
    package var isInvalidURL: Bool { code == .invalidURL }
    package var isInvalidRequest: Bool { code == .invalidRequest }
    package var isShutDown: Bool { code == .shutDown }

    static func timeout(url: String, after: Duration) -> Self {
        Self(.timeout, url: url, detail: "", limit: DurationFormat.short(after))
    }
    static func couldNotConnect(url: String, detail: String) -> Self {
        Self(.couldNotConnect, url: url, detail: detail)
    }
    static func tls(url: String, detail: String) -> Self { Self(.tls, url: url, detail: detail) }
    static func tooLarge(url: String, maxBytes: Int) -> Self {
        Self(.tooLarge, url: url, detail: "", limit: "\(maxBytes)")
    }
    static func invalidURL(url: String, detail: String) -> Self { Self(.invalidURL, url: url, detail: detail) }
    static func invalidRequest(url: String, detail: String) -> Self {
        Self(.invalidRequest, url: url, detail: detail)
    }
    static func shutDown(url: String) -> Self { Self(.shutDown, url: url, detail: "") }
    static func other(url: String, detail: String) -> Self { Self(.other, url: url, detail: detail) }

    package var description: String {
        switch code {
        case .timeout: "request to \(url) timed out after \(limit)"
        case .couldNotConnect: "could not connect for request to \(url): \(detail)"
        case .tls: "TLS failure for request to \(url): \(detail)"
        case .tooLarge: "response from \(url) exceeded the limit of \(limit) bytes"
        case .invalidURL: "invalid URL \(url): \(detail)"
        case .invalidRequest: "invalid request to \(url): \(detail)"
        case .shutDown: "request to \(url) refused: HTTP client is shut down"
        case .other: "request to \(url) failed: \(detail)"
        }
    }
}

/// Human-friendly durations for error messages: "500ms", "2s", "1.5s".
enum DurationFormat {
    static func short(_ duration: Duration) -> String {
        let millis = CurlOptions.milliseconds(duration)
        if millis < 1000 { return "\(millis)ms" }
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        let tenths = (millis + 50) / 100
        return "\(tenths / 10).\(tenths % 10)s"
    }
}
