import Actions
import BotCore
import Foundation
import Logging
import Slack
import Store

/// The core: takes a stored, verified slash command and carries it through route → permit → execute → reply → audit.
package struct CommandProcessor: Sendable {
    package let router: Router
    package let policy: PermissionPolicy
    package let actions: ActionRegistry
    package let store: any BotStore
    package let poster: SlackPoster
    package let slashCommand: String
    package let groups: any UserGroupDirectory
    package let approvals: ApprovalFlow
    package let logger: Logger
    /// Incidents, their buttons and reminders; nil when the bot runs without PagerDuty.
    package let pagerDuty: PagerDutyIntegration?

    package init(
        table: CommandTable, policy: PermissionPolicy, actions: ActionRegistry, store: any BotStore,
        poster: SlackPoster, slashCommand: String, groups: any UserGroupDirectory = NoUserGroups(),
        logger: Logger, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) },
        pagerDuty: PagerDutyIntegration? = nil
    ) {
        self.pagerDuty = pagerDuty
        self.router = Router(table: table)
        self.policy = policy
        self.actions = actions
        self.store = store
        self.poster = poster
        self.slashCommand = slashCommand
        self.groups = groups
        self.approvals = ApprovalFlow(
            table: table, policy: policy, actions: actions, store: store, poster: poster, slashCommand: slashCommand,
            groups: groups, logger: logger, now: now)
        self.logger = logger
    }

    /// The handlers of the durable timers this core schedules (automatic reverts).
    package var timerHandlers: [any TimerHandler] {
        [RevertHandler(actions: actions, store: store, poster: poster, logger: logger)] + (pagerDuty?.timerHandlers ?? [])
    }

    /// The clock of approvals and timers (injected in tests).
    package var clock: @Sendable () -> Int64 { approvals.now }

    /// Processes one delivery. Never throws: every failure becomes a reply and an audit record. The caller acks the
    /// delivery at its inbox afterwards (the one who leased it).
    package func process(_ delivery: StoredDelivery) async {
        if delivery.kind == "slack.interaction" {
            await interaction(delivery)
            return
        }
        if delivery.kind == "pagerduty.webhook" {
            await pagerDuty?.process(delivery)
            return
        }
        guard let command = try? JSONDecoder().decode(SlashCommand.self, from: Data(delivery.payload.utf8)) else {
            logger.error("stored delivery is not a slash command", metadata: ["delivery.id": "\(delivery.id)"])
            return
        }
        await handle(command, deliveryID: delivery.id)
    }

    func handle(_ command: SlashCommand, deliveryID: Int64) async {
        let requester = Requester(userID: command.userID, groups: await groups.groups(of: command.userID))
        let shownCommand = "\(slashCommand) \(command.text)"
        func audit(_ kind: String, _ outcome: String, command text: String? = nil, _ detail: [String: JSONValue] = [:]) async {
            var detail = detail
            detail["trigger_id"] = .string(command.triggerID)
            await record(AuditEntry(
                kind: kind, user: command.userID, channel: command.channelID, command: text ?? shownCommand,
                outcome: outcome, detail: detail))
        }

        switch router.route(command.text) {
        case .failure(let problem):
            await audit("rejected", "invalid_command", ["reason": .string(problem.message)])
            await poster.respond(.ephemeral(problem.message), to: command)

        case .success(.help(let topic)):
            let text = HelpText(table: router.table, policy: policy, slashCommand: slashCommand)
                .help(for: requester, channel: command.channelID, topic: topic)
            await audit("result", "answered")
            await poster.respond(.ephemeral(text), to: command)

        case .success(.whoami):
            let text = HelpText(table: router.table, policy: policy, slashCommand: slashCommand)
                .whoami(for: requester, channel: command.channelID)
            await audit("result", "answered")
            await poster.respond(.ephemeral(text), to: command)

        case .success(.breakGlass(let invocation, let reason)):
            let canonical = "\(slashCommand) break-glass \(invocation.canonicalText)"
            if case .deny(let why) = policy.decide(requester, path: invocation.path, channel: command.channelID) {
                await audit("denied", "denied", command: canonical, ["reason": .string(why)])
                await poster.respond(.ephemeral(why), to: command)
                return
            }
            guard policy.mayBreakGlass(requester) else {
                let why = "You may not break the glass: that is for \(policy.breakGlassRoles.map { "`\($0)`" }.joined(separator: ", ")) only. Ask for an approval instead: `\(slashCommand) \(invocation.canonicalText)`."
                await audit("denied", "denied", command: canonical, ["reason": .string(why)])
                await poster.respond(.ephemeral(why), to: command)
                return
            }
            guard invocation.spec.destructive else {
                await poster.respond(.ephemeral("`\(invocation.canonicalText)` needs no approval: run it directly."), to: command)
                return
            }
            await audit("break_glass", "invoked", command: canonical, ["reason": .string(reason)])
            let warning = "🚨 *Break-glass* — <@\(command.userID)> is running `\(slashCommand) \(SlackText.escaped(invocation.canonicalText))` *without approval*.\n*Reason:* \(SlackText.escaped(reason))"
            await poster.respond(.inChannel(warning, blocks: [.section(warning)]), to: command)
            await execute(invocation, command: command, canonical: canonical, deliveryID: deliveryID, breakGlass: reason)

        case .success(.plugin(let invocation)):
            let canonical = "\(slashCommand) \(invocation.canonicalText)"
            if case .deny(let reason) = policy.decide(requester, path: invocation.path, channel: command.channelID) {
                await audit("denied", "denied", command: canonical, ["reason": .string(reason)])
                await poster.respond(.ephemeral(reason), to: command)
                return
            }
            if invocation.spec.destructive {
                await approvals.request(
                    invocation, origin: .init(user: command.userID, channel: command.channelID, responseURL: command.responseURL),
                    triggerID: command.triggerID)
                return
            }
            await execute(invocation, command: command, canonical: canonical, deliveryID: deliveryID)
        }
    }

    func record(_ entry: AuditEntry) async {
        do {
            try await store.append(entry)
        } catch {
            logger.critical("could not write the audit", metadata: ["audit.kind": "\(entry.kind)", "error": "\(error)"])
        }
    }

    private func interaction(_ delivery: StoredDelivery) async {
        guard let payload = try? JSONDecoder().decode(BlockActionsPayload.self, from: Data(delivery.payload.utf8)) else {
            logger.error("stored delivery is not a block_actions payload", metadata: ["delivery.id": "\(delivery.id)"])
            return
        }
        let requester = Requester(userID: payload.user.id, groups: await groups.groups(of: payload.user.id))
        if let pagerDuty, let action = payload.actions.first, PagerDutyIntegration.handles(action.actionID) {
            await pagerDuty.click(payload, requester: requester)
            return
        }
        await approvals.click(payload, requester: requester, delivery: delivery)
    }

}
