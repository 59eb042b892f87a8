import Foundation
import SQLiteDriver

/// A durable timer: something the bot must do at a time, also after a restart (turn a bypass off, remind an
/// escalation level, ask for an incident report). `key` makes scheduling idempotent: the same key is one timer.
package struct StoredTimer: Sendable, Equatable, Codable {
    package let key: String
    package let kind: String
    /// Milliseconds since 1970.
    package let dueAt: Int64
    package let payload: String
    package let attempts: Int
    /// Bumped each time the key is re-armed: finishing an old firing never touches a newer schedule.
    package let generation: Int64
}

package enum TimerScheduleResult: Sendable, Equatable, Codable {
    case scheduled
    /// A timer with this key exists (pending, fired or cancelled): left as it is.
    case exists(state: String)
}

extension HybridStore {
    /// Schedules a timer once per key; `replace: true` re-arms a pending or finished one (a new bypass window).
    @discardableResult
    package func scheduleTimer(key: String, kind: String, dueAt: Int64, payload: String, replace: Bool = false) async throws -> TimerScheduleResult {
        let at = now()
        return try await write { db in
            try db.transaction { db in
                if let existing = try db.query("SELECT state FROM timers WHERE key = ?", [.text(key)]).first, !replace {
                    return .exists(state: existing["state"].string ?? "?")
                }
                try db.execute(
                    """
                    INSERT INTO timers (key, kind, due_at, payload, state, attempts, created_at) VALUES (?, ?, ?, ?, 'pending', 0, ?)
                    ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at, payload = excluded.payload,
                        state = 'pending', attempts = 0, generation = timers.generation + 1, created_at = excluded.created_at,
                        done_at = NULL
                    """,
                    [.text(key), .text(kind), .integer(dueAt), .text(payload), .text(at)])
                return .scheduled
            }
        }
    }

    /// Pending timers due at or before `now` (ms), oldest first.
    package func dueTimers(now: Int64, limit: Int = 100) async throws -> [StoredTimer] {
        try await withDatabase { db in
            try db.query(
                "SELECT key, kind, due_at, payload, attempts, generation FROM timers WHERE state = 'pending' AND due_at <= ? ORDER BY due_at LIMIT ?",
                [.integer(now), .integer(Int64(limit))]
            ).map(Self.timer(from:))
        }
    }

    /// The earliest pending due time, if any (so the service sleeps exactly until then).
    package func nextTimerDue() async throws -> Int64? {
        try await withDatabase { db in
            try db.query("SELECT MIN(due_at) AS due FROM timers WHERE state = 'pending'").first?["due"].int
        }
    }

    /// Takes a due timer for firing: true for exactly one caller. At-most-once work (a reminder) fires after this.
    package func claimTimer(_ timer: StoredTimer) async throws -> Bool {
        try await claimTimer(timer, claimant: nil)
    }

    /// `claimant` makes a retried claim idempotent: the same claimant asking again is told it holds the timer.
    package func claimTimer(_ timer: StoredTimer, claimant: String?) async throws -> Bool {
        let at = nowMillis()
        return try await write { db in
            try db.execute(
                """
                UPDATE timers SET state = 'firing', attempts = attempts + 1, claimant = ?, claimed_at = ?
                WHERE key = ? AND state = 'pending' AND generation = ?
                """,
                [claimant.map { .text($0) } ?? .null, .integer(at), .text(timer.key), .integer(timer.generation)])
            if db.changes == 1 { return true }
            guard let claimant else { return false }
            return try db.query(
                "SELECT 1 FROM timers WHERE key = ? AND state = 'firing' AND generation = ? AND claimant = ?",
                [.text(timer.key), .integer(timer.generation), .text(claimant)]).first != nil
        }
    }

    /// Marks a fired timer done (only that firing: a timer re-armed meanwhile stays pending).
    package func finishTimer(_ timer: StoredTimer) async throws {
        let at = now()
        try await write { db in
            try db.execute(
                "UPDATE timers SET state = 'done', done_at = ? WHERE key = ? AND state = 'firing' AND generation = ?",
                [.text(at), .text(timer.key), .integer(timer.generation)])
        }
    }

    /// Puts a timer whose work failed back to pending, due again at `retryAt` (at-least-once work: a bypass revert).
    package func retryTimer(_ timer: StoredTimer, retryAt: Int64) async throws {
        try await write { db in
            try db.execute(
                "UPDATE timers SET state = 'pending', due_at = ? WHERE key = ? AND state = 'firing' AND generation = ?",
                [.integer(retryAt), .text(timer.key), .integer(timer.generation)])
        }
    }

    /// Cancels a pending timer (bypass ended early, incident acknowledged). True when one was pending.
    @discardableResult
    package func cancelTimer(key: String) async throws -> Bool {
        let at = now()
        return try await write { db in
            try db.execute("UPDATE timers SET state = 'cancelled', done_at = ? WHERE key = ? AND state = 'pending'", [.text(at), .text(key)])
            return db.changes == 1
        }
    }

    /// Cancels every pending timer whose key starts with `prefix`; returns how many.
    @discardableResult
    package func cancelTimers(prefix: String) async throws -> Int {
        let at = now()
        return try await write { db in
            try db.execute(
                "UPDATE timers SET state = 'cancelled', done_at = ? WHERE state = 'pending' AND substr(key, 1, length(?)) = ?",
                [.text(at), .text(prefix), .text(prefix)])
            return db.changes
        }
    }

    /// Timers left `firing`; with `claimedBefore`, only those claimed before that time (ms): with several cores, a
    /// timer another live core fires right now is not one of them.
    package func interruptedTimers(claimedBefore: Int64?) async throws -> [StoredTimer] {
        try await withDatabase { db in
            try db.query(
                """
                SELECT key, kind, due_at, payload, attempts, generation FROM timers
                WHERE state = 'firing' AND (?1 IS NULL OR claimed_at IS NULL OR claimed_at < ?1)
                """,
                [claimedBefore.map { .integer($0) } ?? .null]).map(Self.timer(from:))
        }
    }

    package func timerState(key: String) async throws -> String? {
        try await withDatabase { db in try db.query("SELECT state FROM timers WHERE key = ?", [.text(key)]).first?["state"].string }
    }

    private static func timer(from row: SQLiteRow) -> StoredTimer {
        StoredTimer(
            key: row["key"].string ?? "", kind: row["kind"].string ?? "", dueAt: row["due_at"].int ?? 0,
            payload: row["payload"].string ?? "", attempts: Int(row["attempts"].int ?? 0), generation: row["generation"].int ?? 0)
    }
}
