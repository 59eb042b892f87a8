import SQLiteDriver
import Synchronization

/// Group commit: write transactions that arrive while one is being committed are run together in the next
/// transaction, each in its own savepoint, and all acknowledged after its single COMMIT (one fsync for the batch).
///
/// Durability is unchanged — no caller hears "stored" before the COMMIT that contains its write returned under
/// `synchronous=FULL` — but under load many writes share one fsync instead of paying one each.
final class WriteBatcher: Sendable {
    private struct Pending: Sendable {
        /// Runs the write inside the batch's transaction; returns what to do once the batch committed (or failed).
        let run: @Sendable (SQLiteDatabase) -> @Sendable (Bool) -> Void
        /// The batch never reached this write.
        let fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var pending: [Pending] = []
        var flushing = false
        var writes = 0
        var commits = 0
    }

    /// Writes accepted and transactions committed so far (writes / commits = the batching achieved).
    var statistics: (writes: Int, commits: Int) {
        state.withLock { ($0.writes, $0.commits) }
    }

    struct CommitFailed: Error, CustomStringConvertible {
        let description = "the database could not commit the write"
    }

    private let connection: SQLiteConnection
    private let state = Mutex(State())
    static let maxBatch = 512

    init(connection: SQLiteConnection) {
        self.connection = connection
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteDatabase) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let pending = Pending(
                run: { db in
                    let result = Result { try db.transaction(body) }  // a savepoint inside the batch
                    return { committed in
                        continuation.resume(with: committed ? result : .failure(CommitFailed()))
                    }
                },
                fail: { continuation.resume(throwing: $0) })
            let start = state.withLock { state -> Bool in
                state.pending.append(pending)
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if start { Task { await self.flushUntilEmpty() } }
        }
    }

    private func flushUntilEmpty() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let batch = Array(state.pending.prefix(Self.maxBatch))
                state.pending.removeFirst(batch.count)
                if batch.isEmpty { state.flushing = false } else { state.commits += 1; state.writes += batch.count }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await connection.withDatabase { db in Self.commit(batch, db) }
            } catch {
                for pending in batch { pending.fail(error) }  // the connection itself is gone
            }
        }
    }

    private static func commit(_ batch: [Pending], _ db: SQLiteDatabase) {
        var finishers: [@Sendable (Bool) -> Void] = []
        do {
            try db.transaction { db in
                for pending in batch { finishers.append(pending.run(db)) }
            }
            for finish in finishers { finish(true) }
        } catch {
            if finishers.count == batch.count {
                for finish in finishers { finish(false) }
            } else {
                for pending in batch { pending.fail(error) }
            }
        }
    }
}
