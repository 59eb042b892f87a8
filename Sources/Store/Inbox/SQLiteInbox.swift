import Foundation
import SQLiteDriver

/// The default inbox: the `deliveries` table of the relay's (or `serve`'s) SQLite file.
///
/// Storing is a group-committed transaction (WAL, `synchronous=FULL`) that also writes the `command` audit record;
/// leasing, extending, releasing and acking are single transactions too, so the unique key and the lease columns —
/// not memory — decide who holds what, and a restarted relay hands out exactly what was pending.
package final class SQLiteInbox: DeliveryInbox {
    package let store: HybridStore
    private let signal = DeliverySignal()
    private let now: @Sendable () -> Int64

    package init(store: HybridStore, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.store = store
        self.now = now
    }

    package func store(kind: String, key: String, payload: String, audit: AuditEntry?) async throws -> DeliveryStoreResult {
        let result = try await store.storeDelivery(kind: kind, key: key, payload: payload, audit: audit)
        if case .stored = result { signal.notify() }
        return result
    }

    package func lease(owner: String, after: Int64?, limit: Int, lease: Duration, wait: Duration) async throws -> [StoredDelivery] {
        let deadline = ContinuousClock.now + wait
        let leaseMillis = lease.milliseconds
        while true {
            let seen = signal.generation
            let (leased, nextExpiry) = try await store.leaseDeliveries(
                owner: owner, after: after, limit: limit, now: now(), leaseMillis: leaseMillis)
            if !leased.isEmpty { return leased }
            let left = deadline - ContinuousClock.now
            if left <= .zero || Task.isCancelled { return [] }
            // Sleep until a delivery is stored, the wait is over, or the earliest lease runs out (then it is free again).
            var nap = left
            if let nextExpiry {
                nap = min(nap, .milliseconds(max(nextExpiry - now(), 0) + 5))
            }
            await signal.wait(since: seen, timeout: nap)
        }
    }

    package func extendLease(id: Int64, owner: String, lease: Duration) async throws -> Bool {
        try await store.extendDeliveryLease(id: id, owner: owner, until: now() + lease.milliseconds)
    }

    package func release(id: Int64, owner: String) async throws {
        if try await store.releaseDeliveryLease(id: id, owner: owner) { signal.notify() }
    }

    package func ack(id: Int64) async throws -> DeliveryAckResult {
        try await store.ackDelivery(id: id) ? .done : .unknown
    }
}

extension Duration {
    /// Whole milliseconds, clamped to 0…(Int64.max / 4) so callers can add and subtract without overflowing.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let limit = Int64.max / 4
        guard seconds >= 0 else { return 0 }
        guard seconds < limit / 1000 else { return limit }
        return min(limit, max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }
}

/// The name a core leases under (`--name`, `core=`): 1–128 printable ASCII characters without spaces.
package enum CoreName {
    package static func validated(_ text: String?) -> String? {
        guard let text, (1...128).contains(text.count), text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return nil
        }
        return text
    }
}

extension HybridStore {
    /// Leases up to `limit` free deliveries to `owner` in one transaction: expired leases first (whatever the cursor),
    /// then never-leased ones above `after`. Also returns when the earliest lease still held runs out.
    /// A delivery handed out this often without an ack takes every core down with it (or never finishes): it is
    /// set aside — marked done with a `dead_letter` audit record naming it — instead of being handed out forever.
    package static let maxDeliveryAttempts = 10

    package func leaseDeliveries(owner: String, after: Int64?, limit: Int, now: Int64, leaseMillis: Int64)
        async throws -> (leased: [StoredDelivery], nextExpiry: Int64?)
    {
        let at = self.now()
        let redact = self.redact
        return try await write { db in
            try db.transaction { db in
                for dead in try db.query(
                    """
                    SELECT id, kind, idempotency_key, attempts FROM deliveries
                    WHERE state = 'pending' AND attempts >= ? AND lease_until IS NOT NULL AND lease_until <= ?
                    """,
                    [.integer(Int64(Self.maxDeliveryAttempts)), .integer(now)])
                {
                    try db.execute("UPDATE deliveries SET state = 'done', done_at = ?, lease_until = NULL WHERE id = ?",
                                   [.text(at), .integer(dead["id"].int ?? 0)])
                    _ = try AuditChain.append(AuditEntry(
                        kind: "dead_letter", outcome: "given_up",
                        detail: ["delivery_id": .int(Int(dead["id"].int ?? 0)), "delivery_kind": .string(dead["kind"].string ?? ""),
                                 "delivery_key": .string(dead["idempotency_key"].string ?? ""), "attempts": .int(Int(dead["attempts"].int ?? 0))]),
                        at: at, redact: redact, in: db)
                }
                let rows = try db.query(
                    """
                    SELECT id, kind, idempotency_key, payload, received_at FROM deliveries
                    WHERE state = 'pending' AND (
                        (lease_until IS NOT NULL AND lease_until <= ?1) OR (lease_until IS NULL AND id > ?2))
                    ORDER BY (lease_until IS NULL), id LIMIT ?3
                    """,
                    [.integer(now), .integer(after ?? 0), .integer(Int64(limit))])
                let leased = rows.map(Self.delivery(from:))
                for delivery in leased {
                    try db.execute(
                        "UPDATE deliveries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                        [.text(owner), .integer(now + leaseMillis), .integer(delivery.id)])
                }
                var nextExpiry: Int64?
                if leased.isEmpty {
                    nextExpiry = try db.query(
                        "SELECT min(lease_until) AS next FROM deliveries WHERE state = 'pending' AND lease_until > ?",
                        [.integer(now)]).first?["next"].int
                }
                return (leased, nextExpiry)
            }
        }
    }

    package func extendDeliveryLease(id: Int64, owner: String, until: Int64) async throws -> Bool {
        try await write { db in
            try db.execute(
                "UPDATE deliveries SET lease_until = ? WHERE id = ? AND state = 'pending' AND lease_owner = ?",
                [.integer(until), .integer(id), .text(owner)])
            return db.changes > 0
        }
    }

    /// Makes a leased delivery free at once (lease ended in the past, so it counts as expired for every cursor) and
    /// forgets its owner, so a late renewal by the core that gave it back cannot take it again.
    package func releaseDeliveryLease(id: Int64, owner: String) async throws -> Bool {
        try await write { db in
            try db.execute(
                "UPDATE deliveries SET lease_until = 0, lease_owner = NULL WHERE id = ? AND state = 'pending' AND lease_owner = ?",
                [.integer(id), .text(owner)])
            return db.changes > 0
        }
    }

    /// Marks a delivery done; false when no such delivery exists (acking twice is fine).
    package func ackDelivery(id: Int64) async throws -> Bool {
        let at = now()
        return try await write { db in
            try db.execute(
                "UPDATE deliveries SET state = 'done', done_at = ?, lease_until = NULL WHERE id = ? AND state = 'pending'",
                [.text(at), .integer(id)])
            if db.changes > 0 { return true }
            return try db.query("SELECT 1 FROM deliveries WHERE id = ?", [.integer(id)]).first != nil
        }
    }

    static func delivery(from row: SQLiteRow) -> StoredDelivery {
        StoredDelivery(
            id: row["id"].int ?? 0, kind: row["kind"].string ?? "", idempotencyKey: row["idempotency_key"].string ?? "",
            payload: row["payload"].string ?? "", receivedAt: row["received_at"].string ?? "")
    }
}
