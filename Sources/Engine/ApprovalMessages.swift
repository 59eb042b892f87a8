import BotCore
import Foundation
import Slack
import Store

/// The approval message: who asked, the exact plan with its live preview, the rule, and (while pending) the buttons.
enum ApprovalMessages {
    static let approveAction = "approval.approve"
    static let denyAction = "approval.deny"

    static func render(_ approval: StoredApproval, slashCommand: String, result: String? = nil) -> SlackMessage {
        let r = approval.request
        let title: String
        switch r.state {
        case .pending: title = "🔐 *Approval needed*"
        case .verifying: title = "⏳ *Approved — checking the plan still holds*"
        case .executing: title = "⏳ *Approved — running*"
        case .executed: title = "✅ *Approved and done*"
        case .failed: title = "❌ *Approved, but it failed*"
        case .denied: title = "🚫 *Denied*"
        case .cancelled: title = "↩️ *Cancelled by the requester*"
        case .expired: title = "⌛ *Expired*"
        case .voided: title = "♻️ *Void — the plan changed*"
        }
        let head = "\(title) — <@\(r.requester)> asks to run `\(slashCommand) \(SlackText.escaped(r.command))`"
        var plan = "*Plan* (`\(r.planHash.prefix(12))`):"
        for line in approval.plan.previewLines { plan += "\n• " + line }
        if approval.plan.previewLines.isEmpty { plan += "\n• no preview for this command" }
        var status = "*Rule:* \(r.ruleDescription) · approval id `\(r.id)`"
        if !r.approvals.isEmpty {
            status += "\n*Approved by:* " + r.approvals.map { "<@\($0.user)> at \(clock($0.at))" }.joined(separator: ", ")
                + " (\(r.approvals.count)/\(r.required))"
        }
        if let by = r.decidedBy, r.state == .denied { status += "\n*Denied by:* <@\(by)>" }
        var blocks: [Block] = [.section(head), .section(plan), .context(status)]
        if let result { blocks += OutputRenderer.sections("*Result:*\n" + result, maxBlocks: 20) }
        if r.state == .pending {
            blocks.append(.actions([
                Button(
                    text: "Approve", actionID: approveAction, value: r.id, style: "primary",
                    confirm: .init(
                        title: "Approve this plan?", text: "\(slashCommand) \(r.command) will run as measured in the preview.",
                        confirm: "Approve", deny: "Back")),
                Button(text: "Deny", actionID: denyAction, value: r.id, style: "danger"),
            ], id: "approval:\(r.id)"))
        }
        let fallback = "\(title.replacingOccurrences(of: "*", with: "")): \(slashCommand) \(SlackText.escaped(r.command)) requested by <@\(r.requester)> (approval \(r.id), \(r.ruleDescription))"
        return SlackMessage(text: fallback, blocks: blocks)
    }

    static func clock(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)) + " UTC"
    }
}
