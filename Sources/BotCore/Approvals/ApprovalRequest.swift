import Crypto

/// A destructive command waiting for, or past, its approvals. Bound to one plan by its hash.
package struct ApprovalRequest: Sendable, Equatable, Codable {
    package enum State: String, Sendable, Codable, CaseIterable {
        /// Waiting for approvals.
        case pending
        /// Enough approvals: the preview is being measured again to check the plan still holds.
        case verifying
        /// The plan held: running (claimed once, by the approval id).
        case executing
        case executed, failed, denied, cancelled, expired
        /// Reality changed between request and execution: the approval no longer applies.
        case voided

        package var isFinal: Bool { ![.pending, .verifying, .executing].contains(self) }
    }

    package struct Vote: Sendable, Equatable, Codable {
        package let user: String
        package let at: Int64
        package init(user: String, at: Int64) { self.user = user; self.at = at }
    }

    package let id: String
    package let requester: String
    package let channel: String
    package let command: String
    package let path: String
    package let planHash: String
    package let approverRoles: [String]
    package let required: Int
    /// Unix milliseconds.
    package let createdAt: Int64
    package let expiresAt: Int64
    package var approvals: [Vote]
    package var decidedBy: String?
    package var state: State

    package init(
        id: String, requester: String, channel: String, command: String, path: String, planHash: String,
        approverRoles: [String], required: Int, createdAt: Int64, expiresAt: Int64
    ) {
        self.id = id
        self.requester = requester
        self.channel = channel
        self.command = command
        self.path = path
        self.planHash = planHash
        self.approverRoles = approverRoles
        self.required = required
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.approvals = []
        self.decidedBy = nil
        self.state = .pending
    }

    /// The approval id for a slash command: derived from its trigger id, so a command re-processed after a crash
    /// finds its existing request instead of creating a second one.
    package static func id(forTrigger triggerID: String) -> String {
        Hex.encode(SHA256.hash(data: Array("approval:\(triggerID)".utf8)).prefix(8))
    }

    /// "1 approval from operator/commander, expires in 15 min"
    package var ruleDescription: String {
        let roles = approverRoles.joined(separator: "/")
        let minutes = max(1, (expiresAt - createdAt + 59_999) / 60_000)
        return "\(required) approval\(required == 1 ? "" : "s") from \(roles), expires in \(minutes) min"
    }
}
