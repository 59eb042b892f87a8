import BlockingWorkers
import CCurl

/// A blocking-libcurl HTTP client whose transfers run on its own dedicated threads.
///
/// Up to `threads` requests run at once; further requests wait in FIFO order. Async callers
/// suspend on a continuation, so no libcurl call ever runs on Swift's cooperative pool.
/// Task cancellation answers the caller at once with `CancellationError`; a queued transfer is
/// then skipped, a running one aborted within about a second (libcurl's progress callback runs
/// even while a silent server sends nothing), so `shutdown()` does not wait out request timeouts.
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
        let pending = PendingTransfer()
        let transfer = CurlTransfer(request: request, cancellation: pending.flag)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                pending.attach(continuation)
                let accepted = pool.submit {
                    // A request cancelled while queued was already answered: skip the transfer.
                    if pending.flag.isSet { return pending.finish(.failure(CancellationError())) }
                    pending.finish(Result { try transfer.perform() })
                }
                if !accepted {
                    pending.finish(.failure(HTTPClientError.shutDown(url: RedactedURL.render(request.url))))
                }
            }
        } onCancel: {
            pending.cancel()
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
