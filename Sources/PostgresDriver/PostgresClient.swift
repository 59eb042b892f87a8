import BlockingWorkers
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A PostgreSQL client over a small pool of blocking libpq sessions, each served by its own
/// dedicated thread, so no libpq call ever runs on Swift's cooperative pool.
///
/// A statement takes a free session (waiting in FIFO order when all are busy), runs on that
/// session's thread, and gives it back. Sessions open lazily (the most recently used one is reused
/// first, so quiet clients keep one session), each with `connect_timeout`, `application_name` and a
/// default `statement_timeout`; a session the server dropped is reopened on next use. Task
/// cancellation does not interrupt a running statement (statement_timeout bounds it).
package final class PostgresClient: Sendable {
    package let url: PostgresURL
    package let applicationName: String
    private let slots: [Slot]
    private let state = Mutex(PoolState())

    /// `statementTimeout` nil sets none (for pgbouncer's admin console, which rejects startup options).
    package init(url: PostgresURL, poolSize: Int = 2, connectTimeout: Duration = .seconds(5),
                 statementTimeout: Duration? = .seconds(15), applicationName: String = "hybridbot") {
        self.url = url
        self.applicationName = applicationName
        let configuration = PostgresConnection.Configuration(
            url: url, connectTimeout: connectTimeout, statementTimeout: statementTimeout, applicationName: applicationName)
        slots = (0..<max(1, poolSize)).map { index in
            let pid = BackendPID()
            let connection = PostgresConnection(configuration: configuration) { value in pid.value.withLock { $0 = value } }
            return Slot(worker: WorkerPool(threads: 1, name: "PostgresDriver-\(index)", onThreadStart: { Self.blockSIGPIPE() }),
                        connection: ConfinedConnection(connection), pid: pid)
        }
        state.withLock { $0.idle = Array(slots.indices.reversed()) }
    }

    deinit {
        // Queued statements still run, then each session is closed and its thread exits.
        for slot in slots {
            let connection = slot.connection
            _ = slot.worker.submit { connection.value.disconnect() }
            slot.worker.beginShutdown()
        }
    }

    /// Runs one statement with `PQexecParams`: parameters are bound in text format (`$1`, `$2`…;
    /// nil is SQL NULL), never spliced into the text. `statementTimeout` overrides the session's
    /// default for this statement only (e.g. `CREATE INDEX CONCURRENTLY`).
    package func query(_ sql: String, _ parameters: [String?] = [], statementTimeout: Duration? = nil)
        async throws(PostgresError) -> PostgresResult {
        let request = PostgresConnection.Request(sql: sql, parameters: parameters, statementTimeout: statementTimeout)
        return try await withSession { $0.execute(request) }
    }

    /// Runs text with the simple query protocol (`PQexec`-style), no parameters: only for
    /// pgbouncer's admin console (`SHOW POOLS`), which does not speak the extended protocol.
    package func simpleQuery(_ sql: String) async throws(PostgresError) -> PostgresResult {
        let request = PostgresConnection.Request(sql: sql, parameters: nil, statementTimeout: nil)
        return try await withSession { $0.execute(request) }
    }

    /// `PQserverVersion`, e.g. 150010 for 15.10.
    package func serverVersion() async throws(PostgresError) -> Int {
        try await withSession { $0.serverVersion() }
    }

    /// The server pids of this pool's open sessions (so actions can leave the bot's own sessions alone).
    package func backendPIDs() async -> [Int32] {
        slots.compactMap { slot in slot.pid.value.withLock { $0 } }
    }

    /// Lets running and queued statements finish, closes every session and stops the threads.
    /// Later calls fail with ``PostgresError/isClosed``. Idempotent.
    package func close() async {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        for slot in slots {
            _ = slot.worker.submit { slot.connection.value.disconnect() }
            await slot.worker.shutdown()
        }
    }

    // MARK: - Sessions

    private func withSession<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) -> Result<T, PostgresError>
    ) async throws(PostgresError) -> T {
        guard let index = await acquire() else { throw .clientClosed }
        defer { release(index) }
        let slot = slots[index]
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, PostgresError>, Never>) in
            let accepted = slot.worker.submit { continuation.resume(returning: body(slot.connection.value)) }
            if !accepted { continuation.resume(returning: .failure(.clientClosed)) }
        }
        return try result.get()
    }

    /// A free session's index, nil once the client is closed.
    private func acquire() async -> Int? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int?, Never>) in
            let granted: Int?? = state.withLock { state in
                if state.closed { return .some(nil) }
                if let index = state.idle.popLast() { return .some(index) }
                state.waiters.append(continuation)
                return .none
            }
            if let granted { continuation.resume(returning: granted) }
        }
    }

    private func release(_ index: Int) {
        let waiter: CheckedContinuation<Int?, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.idle.append(index)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: index)
    }

    /// libpq suppresses SIGPIPE itself on Linux; blocked on these threads anyway, so a write to a
    /// dropped socket is an `EPIPE` error and never kills the process.
    private static func blockSIGPIPE() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}

private struct PoolState {
    /// Free sessions; the last one is handed out first (it is the most likely to be open already).
    var idle: [Int] = []
    var waiters: [CheckedContinuation<Int?, Never>] = []
    var closed = false
}

private final class Slot: Sendable {
    let worker: WorkerPool
    let connection: ConfinedConnection
    let pid: BackendPID

    init(worker: WorkerPool, connection: ConfinedConnection, pid: BackendPID) {
        self.worker = worker
        self.connection = connection
        self.pid = pid
    }
}

/// The server pid of a slot's open session: written by its thread when the session opens or closes,
/// read by anyone.
private final class BackendPID: Sendable {
    let value = Mutex<Int32?>(nil)
}

/// The libpq session of one slot, used only by jobs of that slot's single worker thread.
///
/// `@unchecked Sendable`: each slot's pool has exactly one thread and runs jobs one at a time, so
/// `value` is only ever touched from that thread, never concurrently.
private final class ConfinedConnection: @unchecked Sendable {
    let value: PostgresConnection
    init(_ value: PostgresConnection) { self.value = value }
}
