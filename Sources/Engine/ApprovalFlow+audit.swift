import BotCore
import Store

extension ApprovalFlow {
    /// The audit record for one approval event: votes, decisions, refusals (who clicked what, and why it counted or not).
    static func auditEntry(
        event: ApprovalMachine.Event, old: ApprovalRequest, new: ApprovalRequest, actions: [ApprovalMachine.Action],
        slashCommand: String
    ) -> AuditEntry? {
        var entry = AuditEntry(
            kind: "", user: nil, channel: new.channel, command: "\(slashCommand) \(new.command)",
            detail: ["approval_id": .string(new.id), "plan_hash": .string(new.planHash), "state": .string(new.state.rawValue)])
        switch event {
        case .approve(let who, _), .deny(let who, _), .cancel(let who, _): entry.user = who.userID
        default: entry.user = new.requester
        }
        if case .refuse(let reason)? = actions.first {
            entry.kind = "approval_refused"
            entry.outcome = "refused"
            entry.detail["reason"] = .string(reason)
            return entry
        }
        if new.approvals.count > old.approvals.count {
            entry.kind = "approved"
            entry.outcome = "\(new.approvals.count)/\(new.required)"
            return entry
        }
        guard new.state != old.state else { return nil }
        switch new.state {
        case .denied: entry.kind = "denied_approval"
        case .cancelled: entry.kind = "approval_cancelled"
        case .expired: entry.kind = "expired"
        case .voided:
            entry.kind = "voided"
            if case .planChecked(_, let difference) = event { entry.detail["difference"] = .string(difference) }
        case .executing: entry.kind = "plan_verified"
        case .executed, .failed: entry.kind = "approval_finished"
        case .pending, .verifying: entry.kind = "approval_updated"
        }
        entry.outcome = new.state.rawValue
        return entry
    }
}
