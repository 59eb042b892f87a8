import HTTPDriver

/// How the clients wait on 429: honour `Retry-After` (seconds) or `ratelimit-reset` (seconds),
/// capped, else a short default; at most `maxRetries` retries. `sleep` is injectable for tests.
package struct RetryPolicy: Sendable {
    package var maxRetries: Int
    package var defaultDelay: Duration
    package var maxDelay: Duration
    package var sleep: @Sendable (Duration) async throws -> Void

    package init(
        maxRetries: Int = 2, defaultDelay: Duration = .milliseconds(1500), maxDelay: Duration = .seconds(10),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxRetries = maxRetries
        self.defaultDelay = defaultDelay
        self.maxDelay = maxDelay
        self.sleep = sleep
    }

    /// The wait before retrying after `response` (a 429).
    package func delay(after response: HTTPResponse) -> Duration {
        for name in ["retry-after", "ratelimit-reset"] {
            guard let raw = response.header(name)?.trimmingWhitespace(), let seconds = Double(raw),
                  seconds.isFinite, seconds >= 0
            else { continue }
            let wanted = Duration.milliseconds(Int64((seconds * 1000).rounded(.up)))
            return min(wanted, maxDelay)
        }
        return min(defaultDelay, maxDelay)
    }

    /// Runs `attempt` until it answers something other than 429, sleeping between tries.
    /// Returns the last response (still 429 when retries ran out) and how many retries were made.
    func run(_ attempt: () async throws -> HTTPResponse) async throws -> (HTTPResponse, retries: Int) {
        var retries = 0
        while true {
            let response = try await attempt()
            guard response.status == 429, retries < maxRetries else { return (response, retries) }
            try await sleep(delay(after: response))
            retries += 1
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
