/// One HTTP request for ``HTTPClient``.
///
/// `headers` may carry secrets (for example `Authorization: Bearer …`): the driver never logs
/// or echoes header values, and error descriptions only show a redacted URL.
package struct HTTPRequest: Sendable {
    /// "GET", "POST", "PATCH", "PUT", "DELETE", "HEAD" (any token is passed through as a custom method).
    package var method: String
    package var url: String
    package var headers: [(String, String)]
    package var body: [UInt8]?
    /// Total time budget for the transfer (connect + send + receive).
    package var timeout: Duration
    /// PEM bundle of trusted CAs; the system default is used when nil.
    package var caFile: String?
    /// The transfer is aborted with ``HTTPClientError/isTooLarge`` once the body exceeds this.
    package var maxResponseBytes: Int

    package init(
        method: String,
        url: String,
        headers: [(String, String)] = [],
        body: [UInt8]? = nil,
        timeout: Duration = .seconds(10),
        caFile: String? = nil,
        maxResponseBytes: Int = 8 << 20
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.caFile = caFile
        self.maxResponseBytes = maxResponseBytes
    }
}
