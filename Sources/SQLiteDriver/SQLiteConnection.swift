import CSQLite
import NIOPosix
import Synchronization

/// One SQLite connection served by one dedicated thread: all work is serialized in FIFO order
/// (the "one writer"), and no sqlite3 call ever runs on Swift's cooperative pool.
/// Sendable through ``ConfinedDatabase``, whose `@unchecked` conformance documents the proof.
package final class SQLiteConnection: Sendable {
    private let pool: NIOThreadPool
    private let confined: ConfinedDatabase
    private let closed = Mutex(false)

    private init(pool: NIOThreadPool, database: SQLiteDatabase) {
        self.pool = pool
        self.confined = ConfinedDatabase(database: database)
    }

    deinit {
        // Not closed explicitly: close on the pool thread if it is still active (NIO hands
        // the item over as `.cancelled` otherwise; nobody else can reach `database` then).
        guard !closed.withLock({ $0 }) else { return }
        let confined = self.confined
        pool.submit { _ in confined.database.close() }
        pool.shutdownGracefully { _ in }
    }

    /// Opens (and by default creates) the database at `path`. `":memory:"` is supported.
    /// With `createIfMissing: false` a missing file is an error and nothing is created.
    package static func open(
        path: String, readOnly: Bool = false, createIfMissing: Bool = true
    ) async throws -> SQLiteConnection {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let box: SendableHandle
        do {
            box = try await pool.runIfActive {
                try SQLiteOpener.open(path: path, readOnly: readOnly, createIfMissing: createIfMissing)
            }
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
        return SQLiteConnection(pool: pool, database: SQLiteDatabase(handle: box.handle))
    }

    /// Runs `body` on the connection's thread, after all previously submitted work.
    package func withDatabase<T: Sendable>(_ body: @escaping @Sendable (SQLiteDatabase) throws -> T) async throws -> T {
        if closed.withLock({ $0 }) { throw SQLiteError.closed }
        let confined = self.confined
        do {
            return try await pool.runIfActive {
                guard confined.database.isOpen else { throw SQLiteError.closed }
                return try body(confined.database)
            }
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            throw SQLiteError.closed
        } catch is CancellationError where !Task.isCancelled {
            // NIO cancels work still queued when the pool shuts down.
            throw SQLiteError.closed
        }
    }

    /// Waits for already-submitted work, closes the database, stops the thread. Idempotent.
    package func close() async {
        let first = closed.withLock { wasClosed in
            defer { wasClosed = true }
            return !wasClosed
        }
        guard first else { return }
        let confined = self.confined
        // Plain `submit` (not `runIfActive`): the close must run even if this task is cancelled.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            pool.submit { _ in
                confined.database.close()
                continuation.resume()
            }
        }
        try? await pool.shutdownGracefully()
    }

    /// `sqlite3_libversion()`, e.g. "3.40.1".
    package static func libraryVersion() -> String {
        String(cString: sqlite3_libversion())
    }
}

/// The connection's ``SQLiteDatabase`` (the sqlite3* and its statement cache).
///
/// `@unchecked Sendable`: `database` is only dereferenced inside closures submitted to the
/// connection's `NIOThreadPool`, which has exactly one thread and runs items one at a time, so
/// every access happens on that single thread, serially. The one exception is the `deinit`
/// path, where no other reference to the connection (hence no queued or running work) exists.
struct ConfinedDatabase: @unchecked Sendable {
    let database: SQLiteDatabase
}

/// Moves a freshly opened sqlite3* from the pool thread to the connection's initializer.
///
/// `@unchecked Sendable`: the handle is created on the pool thread and handed over exactly once,
/// before any other code can reach it; afterwards it is only used on that same pool thread.
struct SendableHandle: @unchecked Sendable {
    let handle: OpaquePointer
}
