import BotCore
import SQLiteDriver
import Synchronization

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
    package func swapApproval(id: String, expected: ApprovalRequest, next: ApprovalRequest, audit: AuditEntry?) async throws
        -> SwapOutcome<StoredApproval>
    {
        let at = now()
        let redact = self.redact
        return try await write { db in
            try db.transaction { db in
                guard var stored = try Self.loadApproval(id, db) else { return SwapOutcome(swapped: false, current: nil) }
                guard stored.request == expected else { return SwapOutcome(swapped: false, current: stored) }
                if next != expected {
                    try db.execute(
                        "UPDATE approvals SET state = ?, request = ?, updated_at = ? WHERE id = ?",
                        [.text(next.state.rawValue), .text(try JSONValue.canonicalString(next)), .text(at), .text(id)])
                }
                if let audit { _ = try AuditChain.append(audit, at: at, redact: redact, in: db) }
                stored.request = next
                return SwapOutcome(swapped: true, current: stored)
            }
        }
    }

    /// Stores `new` as incident `id` only if the stored row is still `expected` (nil: no row yet).
    package func swapIncident(id: String, expected: StoredIncident?, new: StoredIncident) async throws -> SwapOutcome<StoredIncident> {
        let outcome = Outcome()
        let stored = try await updateIncident(id: id) { old in
            guard old == expected else { return nil }
            outcome.swapped.withLock { $0 = true }
            return new
        }
        return SwapOutcome(swapped: outcome.swapped.withLock { $0 }, current: stored)
    }
}

/// Carries "did the swap happen" out of the transaction closure.
private final class Outcome: Sendable {
    let swapped = Mutex(false)
}
