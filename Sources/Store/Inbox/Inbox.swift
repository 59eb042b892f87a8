import Foundation
import SQLiteDriver

/// A delivery received from Slack or PagerDuty, stored before it is acknowledged.
package struct StoredDelivery: Sendable, Equatable, Codable {
    package let id: Int64
    package let kind: String
    package let idempotencyKey: String
    package let payload: String
    package let receivedAt: String

    /// Package-visible so other inbox implementations (`RedisStreamInbox`) can build deliveries.
    package init(id: Int64, kind: String, idempotencyKey: String, payload: String, receivedAt: String) {
        self.id = id
        self.kind = kind
        self.idempotencyKey = idempotencyKey
        self.payload = payload
        self.receivedAt = receivedAt
    }
}

package enum DeliveryStoreResult: Sendable, Equatable {
    /// First time seen: stored (and, if given, its audit record written in the same transaction).
    case stored(StoredDelivery)
    /// A redelivery of a key already stored: acknowledge, do not run again.
    case duplicate(id: Int64)
}

/// What claiming an execution key found.
package enum ExecutionClaim: Sendable, Equatable, Codable {
    /// Nobody ran this yet; the caller now owns it (state `started`).
    case claimed
    /// It ran to the end before; here is the result to re-send.
    case finished(result: String)
    /// It started and never finished (the process died mid-action): do not run blindly again. `firstReport`: this
    /// claim is the one that found it so (or a retry of that claim after a lost answer) and reports it — audit record
    /// included; later claims (the same delivery handed out again) only repeat the answer.
    case interrupted(startedAt: String, firstReport: Bool)
}

extension HybridStore {
    /// Stores a delivery exactly once per idempotency key; the unique constraint decides.
    package func storeDelivery(kind: String, key: String, payload: String, audit: AuditEntry? = nil) async throws -> DeliveryStoreResult {
        let at = now()
        let redact = self.redact
        return try await write { db in
            try db.transaction { db in
                if let existing = try db.query("SELECT id FROM deliveries WHERE idempotency_key = ?", [.text(key)]).first {
                    return .duplicate(id: existing["id"].int ?? 0)
                }
                try db.execute(
                    "INSERT INTO deliveries (kind, idempotency_key, payload, received_at) VALUES (?, ?, ?, ?)",
                    [.text(kind), .text(key), .text(payload), .text(at)])
                let id = db.lastInsertRowID
                if var audit {
                    audit.detail["delivery_id"] = .int(Int(id))
                    _ = try AuditChain.append(audit, at: at, redact: redact, in: db)
                }
                return .stored(StoredDelivery(id: id, kind: kind, idempotencyKey: key, payload: payload, receivedAt: at))
            }
        }
    }

    /// Deliveries stored but not yet processed (e.g. the process stopped right after acking).
    package func pendingDeliveries() async throws -> [StoredDelivery] {
        try await withDatabase { db in
            try db.query("SELECT * FROM deliveries WHERE state = 'pending' ORDER BY id").map { row in
                StoredDelivery(
                    id: row["id"].int ?? 0, kind: row["kind"].string ?? "", idempotencyKey: row["idempotency_key"].string ?? "",
                    payload: row["payload"].string ?? "", receivedAt: row["received_at"].string ?? "")
            }
        }
    }

    /// Claims the right to run the effects keyed by `key`. Written before any action runs.
    package func claimExecution(key: String, deliveryID: Int64?) async throws -> ExecutionClaim {
        try await claimExecution(key: key, deliveryID: deliveryID, claimant: nil)
    }

    /// `claimant` makes a retried claim idempotent: a core whose first claim call committed but whose answer was lost
    /// (a relay hiccup) asks again with the same token and is told `.claimed`, not `.interrupted`.
    package func claimExecution(key: String, deliveryID: Int64?, claimant: String?) async throws -> ExecutionClaim {
        let at = now()
        return try await write { db in
            try db.transaction { db in
                if let row = try db.query("SELECT state, started_at, result, claimant FROM executions WHERE key = ?", [.text(key)]).first {
                    if row["state"].string == "finished" { return .finished(result: row["result"].string ?? "") }
                    let startedAt = row["started_at"].string ?? ""
                    if let claimant, row["state"].string == "started", row["claimant"].string == claimant { return .claimed }
                    if row["state"].string == "started" {
                        // The reporter becomes the claimant, so its retried claim is still the first report.
                        try db.execute("UPDATE executions SET state = 'interrupted', claimant = ? WHERE key = ?",
                                       [claimant.map { .text($0) } ?? .null, .text(key)])
                        return .interrupted(startedAt: startedAt, firstReport: true)
                    }
                    let retried = claimant != nil && row["claimant"].string == claimant
                    return .interrupted(startedAt: startedAt, firstReport: retried)
                }
                try db.execute(
                    "INSERT INTO executions (key, delivery_id, state, started_at, claimant) VALUES (?, ?, 'started', ?, ?)",
                    [.text(key), deliveryID.map { .integer($0) } ?? .null, .text(at), claimant.map { .text($0) } ?? .null])
                return .claimed
            }
        }
    }

    /// Completes an execution record; `audit` (the `result` record) is written in the same transaction, so a crash
    /// can never leave a command audited as done but recorded as started (and later reported interrupted).
    package func finishExecution(key: String, result: String, audit: AuditEntry?) async throws {
        let at = now()
        let redact = self.redact
        let redacted = redact(result)
        try await write { db in
            try db.transaction { db in
                try db.execute(
                    "UPDATE executions SET state = 'finished', finished_at = ?, result = ? WHERE key = ? AND state = 'started'",
                    [.text(at), .text(redacted), .text(key)])
                guard var audit else { return }
                if db.changes == 0 {
                    // Already finished: a retried call after a lost answer; its record is written. Interrupted: another
                    // core reported it so meanwhile (this core lost its lease) — the effect happened all the same.
                    let state = try db.query("SELECT state FROM executions WHERE key = ?", [.text(key)]).first?["state"].string
                    guard state == "interrupted" else { return }
                    audit.detail["finished_after_reported_interrupted"] = .bool(true)
                }
                _ = try AuditChain.append(audit, at: at, redact: redact, in: db)
            }
        }
    }
}
