import BotCore
import Foundation
import SQLiteDriver

/// An approval request as stored: the request, the plan it binds to, and where its message lives.
package struct StoredApproval: Sendable, Equatable, Codable {
    package var request: ApprovalRequest
    package var plan: CommandPlan
    package var messageChannel: String?
    package var messageTS: String?
    package var responseURL: String?

    package init(request: ApprovalRequest, plan: CommandPlan, messageChannel: String? = nil, messageTS: String? = nil, responseURL: String? = nil) {
        self.request = request
        self.plan = plan
        self.messageChannel = messageChannel
        self.messageTS = messageTS
        self.responseURL = responseURL
    }
}

extension HybridStore {
    /// Stores a new request with its `approval_requested` audit record, in one transaction.
    package func createApproval(_ approval: StoredApproval, audit: AuditEntry) async throws {
        let at = now()
        let redact = self.redact
        let request = try JSONValue.canonicalString(approval.request)
        let plan = try JSONValue.canonicalString(approval.plan)
        try await write { db in
            try db.transaction { db in
                try db.execute(
                    """
                    INSERT INTO approvals (id, state, request, plan, message_channel, message_ts, response_url, expires_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [.text(approval.request.id), .text(approval.request.state.rawValue), .text(request), .text(plan),
                     Self.optional(approval.messageChannel), Self.optional(approval.messageTS), Self.optional(approval.responseURL),
                     .integer(approval.request.expiresAt), .text(at)])
                _ = try AuditChain.append(audit, at: at, redact: redact, in: db)
            }
        }
    }

    package func approval(id: String) async throws -> StoredApproval? {
        try await withDatabase { db in try Self.loadApproval(id, db) }
    }

    /// Requests not yet final (pending, verifying, executing): for the expiry sweeper and restart recovery.
    package func openApprovals() async throws -> [StoredApproval] {
        try await withDatabase { db in
            try db.query("SELECT * FROM approvals WHERE state IN ('pending', 'verifying', 'executing') ORDER BY expires_at")
                .map(Self.approval(from:))
        }
    }

    package func setApprovalMessage(id: String, channel: String, ts: String) async throws {
        try await write { db in
            try db.execute("UPDATE approvals SET message_channel = ?, message_ts = ? WHERE id = ?", [.text(channel), .text(ts), .text(id)])
        }
    }

    /// Applies one event atomically: load, decide (pure state machine), store, audit — all in one transaction,
    /// so two clicks at once are decided one after the other. nil when no such approval exists.
    package func transitionApproval(
        id: String, event: ApprovalMachine.Event, policy: PermissionPolicy,
        audit: @escaping @Sendable (ApprovalRequest, ApprovalRequest, [ApprovalMachine.Action]) -> AuditEntry?
    ) async throws -> (StoredApproval, [ApprovalMachine.Action])? {
        let at = now()
        let redact = self.redact
        return try await write { db in
            try db.transaction { db in
                guard var stored = try Self.loadApproval(id, db) else { return nil }
                let (next, actions) = ApprovalMachine.handle(event, stored.request, policy: policy)
                if next != stored.request {
                    try db.execute(
                        "UPDATE approvals SET state = ?, request = ?, updated_at = ? WHERE id = ?",
                        [.text(next.state.rawValue), .text(try JSONValue.canonicalString(next)), .text(at), .text(id)])
                }
                if let entry = audit(stored.request, next, actions) {
                    _ = try AuditChain.append(entry, at: at, redact: redact, in: db)
                }
                stored.request = next
                return (stored, actions)
            }
        }
    }

    static func loadApproval(_ id: String, _ db: SQLiteDatabase) throws -> StoredApproval? {
        try db.query("SELECT * FROM approvals WHERE id = ?", [.text(id)]).first.map(approval(from:))
    }

    static func approval(from row: SQLiteRow) throws -> StoredApproval {
        let decoder = JSONDecoder()
        return StoredApproval(
            request: try decoder.decode(ApprovalRequest.self, from: Data((row["request"].string ?? "").utf8)),
            plan: try decoder.decode(CommandPlan.self, from: Data((row["plan"].string ?? "").utf8)),
            messageChannel: row["message_channel"].string, messageTS: row["message_ts"].string,
            responseURL: row["response_url"].string)
    }

    static func optional(_ s: String?) -> SQLiteValue {
        s.map { .text($0) } ?? .null
    }
}
