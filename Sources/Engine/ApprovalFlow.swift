import Actions
import BotCore
import Foundation
import Logging
import Slack
import Store

/// Destructive commands: preview → plan → approval message → decisions → re-check → execute once.
package struct ApprovalFlow: Sendable {
    let router: Router
    let policy: PermissionPolicy
    let steps: StepRunner
    let store: any BotStore
    let poster: SlackPoster
    let slashCommand: String
    let groups: any UserGroupDirectory
    let logger: Logger
    let now: @Sendable () -> Int64

    package init(
        table: CommandTable, policy: PermissionPolicy, actions: ActionRegistry, store: any BotStore, poster: SlackPoster,
        slashCommand: String, groups: any UserGroupDirectory = NoUserGroups(), logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.router = Router(table: table)
        self.policy = policy
        self.steps = StepRunner(actions: actions, store: store, logger: logger)
        self.store = store
        self.poster = poster
        self.slashCommand = slashCommand
        self.groups = groups
        self.logger = logger
        self.now = now
    }

    /// Where a request came from, to reply there.
    struct Origin: Sendable {
        let user: String
        let channel: String
        let responseURL: String?
    }

    /// Measures the preview, stores the plan and posts the approval message. Nothing destructive runs here.
    /// `triggerID` (the slash command's) makes the request idempotent: re-processing the same command after a crash
    /// re-posts the existing request instead of creating a second one.
    func request(_ invocation: CommandInvocation, origin: Origin, triggerID: String? = nil, note: String? = nil) async {
        if let triggerID, let existing = try? await store.approval(id: ApprovalRequest.id(forTrigger: triggerID)) {
            if existing.messageTS == nil, existing.request.state == .pending {
                _ = await poster.postPublic(ApprovalMessages.render(existing, slashCommand: slashCommand), channel: origin.channel, responseURL: origin.responseURL)
            }
            return
        }
        guard let rule = policy.approvalRule(for: invocation.path) else {
            await poster.tellOnly("`\(invocation.canonicalText)` has no approval rule; nothing was done.", user: origin.user, channel: origin.channel, responseURL: origin.responseURL)
            return
        }
        let base = AuditEntry(kind: "preview", user: origin.user, channel: origin.channel, command: "\(slashCommand) \(invocation.canonicalText)")
        guard let plan = await measure(invocation, origin: origin, audit: base) else { return }
        let created = now()
        let request = ApprovalRequest(
            id: triggerID.map(ApprovalRequest.id(forTrigger:)) ?? Self.newID(), requester: origin.user, channel: origin.channel, command: invocation.canonicalText, path: invocation.path,
            planHash: plan.hash, approverRoles: rule.approvers, required: rule.required, createdAt: created,
            expiresAt: created + Int64(rule.expiresAfter.components.seconds * 1000))
        var stored = StoredApproval(request: request, plan: plan, responseURL: origin.responseURL)
        var audit = base
        audit.kind = "approval_requested"
        audit.outcome = "pending"
        audit.detail = ["approval_id": .string(request.id), "plan_hash": .string(plan.hash), "rule": .string(request.ruleDescription),
                        "preview": .array(plan.previewLines.map { .string($0) })]
        do {
            try await store.createApproval(stored, audit: audit)
        } catch {
            logger.error("could not store approval request", metadata: ["error": "\(error)"])
            await poster.tellOnly("The bot could not record the approval request; nothing was done.", user: origin.user, channel: origin.channel, responseURL: origin.responseURL)
            return
        }
        var message = ApprovalMessages.render(stored, slashCommand: slashCommand)
        if let note { message.blocks?.insert(.context(note), at: 0) }
        if let (channel, ts) = await poster.postPublic(message, channel: origin.channel, responseURL: origin.responseURL) {
            stored.messageChannel = channel
            stored.messageTS = ts
            try? await store.setApprovalMessage(id: request.id, channel: channel, ts: ts)
        }
    }

    /// Runs the (read-only) preview steps and builds the plan; nil after telling the user why not.
    func measure(_ invocation: CommandInvocation, origin: Origin, audit: AuditEntry) async -> CommandPlan? {
        let context = ActionContext(userID: origin.user, channelID: origin.channel, command: invocation.canonicalText, logger: logger,
                                    pluginDirectory: invocation.spec.pluginDirectory)
        let outcome = await steps.run(invocation.spec.preview, arguments: invocation.arguments, context: context, audit: audit, readOnly: true)
        if let failure = outcome.failure {
            await poster.tellOnly(
                "Could not measure the preview of `\(invocation.canonicalText)`, so no approval was requested — \(failure.dependency): \(failure.message)",
                user: origin.user, channel: origin.channel, responseURL: origin.responseURL)
            return nil
        }
        return CommandPlan(
            command: invocation.canonicalText, path: invocation.path, arguments: invocation.arguments.mapValues(\.description),
            facts: outcome.outputs.flatMap(\.previewFacts), previewLines: outcome.lines,
            steps: (invocation.spec.preview + invocation.spec.steps).map(\.canonical).joined(separator: "\n"))
    }

    static func newID() -> String {
        String(UInt64.random(in: 1...UInt64.max), radix: 16)
    }

    static func isApprovalID(_ s: String) -> Bool {
        (1...16).contains(s.utf8.count) && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}
