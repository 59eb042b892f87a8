/// A complete, buffered HTTP response.
package struct HTTPResponse: Sendable {
    package var status: Int
    /// Header fields of the final response, names lowercased, in arrival order.
    package var headers: [(String, String)]
    package var body: [UInt8]
    /// Wall-clock time spent in the transfer itself (queueing excluded).
    package var elapsed: Duration

    package init(status: Int, headers: [(String, String)], body: [UInt8], elapsed: Duration) {
        self.status = status
        self.headers = headers
        self.body = body
        self.elapsed = elapsed
    }

    /// First value of the header `name`, compared case-insensitively.
    package func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0 == wanted }?.1
    }
}
