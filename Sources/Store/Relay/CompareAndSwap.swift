import BotCore
import SQLiteDriver

/// Compare-and-swap writes for cores that decide away from the store (a `core` behind a relay): the core reads, runs
/// the pure decision itself, and the store applies the result only if nothing changed in between — inside one
/// transaction, with its audit record. On a conflict the core gets the current row and decides again.
package struct SwapOutcome<Value: Codable & Sendable>: Codable, Sendable {
    package let swapped: Bool
    /// The row as stored after the call (nil: no such row).
    package let current: Value?
}

extension HybridStore {
    /// Replaces the request of approval `id` with `next` (and appends `audit`) only if it is still `expected`.
    /// `token` identifies this swap: sent again after a lost answer, it is recognized and answered as done, never
    /// decided a second time.
    package func swapApproval(id: String, expected: ApprovalRequest, next: ApprovalRequest, audit: AuditEntry?, token: String?)
        async throws -> SwapOutcome<StoredApproval>
    {
        let at = now()
        let redact = self.redact
        return try await write { db in
            try db.transaction { db in
                guard var stored = try Self.loadApproval(id, db) else { return SwapOutcome(swapped: false, current: nil) }
                if let token, try Self.swapToken("approvals", id, db) == token { return SwapOutcome(swapped: true, current: stored) }
                guard stored.request == expected else { return SwapOutcome(swapped: false, current: stored) }
                try db.execute(
                    "UPDATE approvals SET state = ?, request = ?, updated_at = ?, swap_token = ? WHERE id = ?",
                    [.text(next.state.rawValue), .text(try JSONValue.canonicalString(next)), .text(at),
                     token.map { .text($0) } ?? .null, .text(id)])
                if let audit { _ = try AuditChain.append(audit, at: at, redact: redact, in: db) }
                stored.request = next
                return SwapOutcome(swapped: true, current: stored)
            }
        }
    }

    /// Stores `new` as incident `id` only if the stored row is still `expected` (nil: no row yet); `token` as above.
    package func swapIncident(id: String, expected: StoredIncident?, new: StoredIncident, token: String?) async throws
        -> SwapOutcome<StoredIncident>
    {
        try await write { db in
            try db.transaction { db in
                let old = try Self.readIncident(id, db)
                if let token, old != nil, try Self.swapToken("incidents", id, db) == token { return SwapOutcome(swapped: true, current: old) }
                guard old == expected else { return SwapOutcome(swapped: false, current: old) }
                var new = new
                new.id = id
                try Self.writeIncident(new, db)
                try db.execute("UPDATE incidents SET swap_token = ? WHERE id = ?", [token.map { .text($0) } ?? .null, .text(id)])
                return SwapOutcome(swapped: true, current: new)
            }
        }
    }

    private static func swapToken(_ table: String, _ id: String, _ db: SQLiteDatabase) throws -> String? {
        try db.query("SELECT swap_token FROM \(table) WHERE id = ?", [.text(id)]).first?["swap_token"].string
    }
}
