import HTTPDriver

/// A client for one test, shut down whether the test body throws or not.
func withHTTPClient<T: Sendable>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    let http = HTTPClient(threads: 2)
    do {
        let result = try await body(http)
        await http.shutdown()
        return result
    } catch {
        await http.shutdown()
        throw error
    }
}
