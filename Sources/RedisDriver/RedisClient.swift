import BlockingWorkers

/// A Redis client over one blocking hiredis connection served by one dedicated thread.
///
/// Commands from any number of tasks are queued and run in FIFO order on that thread; callers
/// suspend on a continuation, so no hiredis call ever runs on Swift's cooperative pool. The
/// connection is opened lazily on the first command and reopened after it breaks.
/// Commands are bounded by `timeout` (connect, and each socket read/write); task cancellation
/// does not interrupt a queued or running command.
package final class RedisClient: Sendable {
    package let url: RedisURL
    package let timeout: Duration
    private let worker: WorkerPool
    private let connection: ConfinedConnection

    package init(url: RedisURL, timeout: Duration = .seconds(5)) {
        self.url = url
        self.timeout = timeout
        worker = WorkerPool(threads: 1, name: "RedisDriver", onThreadStart: { RedisConnection.blockSIGPIPE() })
        connection = ConfinedConnection(RedisConnection(configuration: .init(url: url, timeout: timeout)))
    }

    deinit {
        // Queued commands still run, then the connection is freed and the thread exits.
        let connection = self.connection
        _ = worker.submit { connection.value.disconnect() }
        worker.beginShutdown()
    }

    /// Runs one command given as text arguments (each sent verbatim, UTF-8). A server error reply
    /// is returned as `.error` (with the password redacted), transport failures are thrown.
    package func command(_ arguments: [String]) async throws(RedisError) -> RedisReply {
        try await command(bytes: arguments.map { Array($0.utf8) })
    }

    /// Runs one command given as raw byte arguments (binary-safe: `redisCommandArgv` with lengths).
    package func command(bytes arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        let worker = self.worker
        let connection = self.connection
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<RedisReply, RedisError>, Never>) in
            let accepted = worker.submit {
                continuation.resume(returning: connection.value.execute(arguments))
            }
            if !accepted { continuation.resume(returning: .failure(.clientClosed)) }
        }
        return try result.get()
    }

    /// Like ``command(_:)`` but a server error reply is thrown as a ``RedisError``.
    package func checkedCommand(_ arguments: [String]) async throws(RedisError) -> RedisReply {
        try await checkedCommand(bytes: arguments.map { Array($0.utf8) })
    }

    /// Like ``command(bytes:)`` but a server error reply is thrown as a ``RedisError``.
    package func checkedCommand(bytes arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        let reply = try await command(bytes: arguments)
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    /// Lets queued commands finish, closes the connection and stops the thread. Later commands
    /// fail with ``RedisError/isClosed``. Idempotent.
    package func close() async {
        let connection = self.connection
        _ = worker.submit { connection.value.disconnect() }
        await worker.shutdown()
    }
}

/// The hiredis connection, used only by jobs of the client's single worker thread.
///
/// `@unchecked Sendable`: the pool has exactly one thread and runs jobs one at a time, so `value` is only ever
/// touched from that thread, never concurrently.
private final class ConfinedConnection: @unchecked Sendable {
    let value: RedisConnection
    init(_ value: RedisConnection) { self.value = value }
}
