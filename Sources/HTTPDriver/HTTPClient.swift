import CCurl

/// A blocking-libcurl HTTP client whose transfers run on its own dedicated threads.
///
/// Up to `threads` requests run at once; further requests wait in FIFO order. Async callers
/// suspend on a continuation, so no libcurl call ever runs on Swift's cooperative pool.
/// Task cancellation skips a queued request and aborts a running one at its next data
/// callback; a silent server is bounded by the request timeout.
package final class HTTPClient: Sendable {
    private let pool: WorkerPool

    package init(threads: Int = 4) {
        pool = WorkerPool(threads: threads, name: "HTTPDriver")
    }

    deinit {
        // Let the threads drain the queue and exit; `shutdown()` is the way to wait for that.
        pool.beginShutdown()
    }

    package func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let cancellation = CancellationFlag()
        let transfer = CurlTransfer(request: request, cancellation: cancellation)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let accepted = pool.submit {
                    continuation.resume(with: Result { try transfer.perform() })
                }
                if !accepted {
                    continuation.resume(throwing: HTTPClientError.shutDown(url: RedactedURL.render(request.url)))
                }
            }
        } onCancel: {
            cancellation.set()
        }
    }

    /// Stops accepting requests, lets queued ones finish, and waits for every thread to exit.
    /// Idempotent.
    package func shutdown() async {
        await pool.shutdown()
    }

    /// `curl_version()`, e.g. "libcurl/7.88.1 OpenSSL/3.0.15 zlib/1.2.13 …".
    package static func libcurlVersion() -> String {
        guard let version = curl_version() else { return "libcurl (unknown version)" }
        return String(cString: version)
    }
}
