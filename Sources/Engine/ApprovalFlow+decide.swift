import Actions
import BotCore
import Foundation
import Logging
import Slack
import Store

extension ApprovalFlow {
    /// A click on Approve or Deny, processed at most once per delivery.
    ///
    /// The click that completes the approvals runs the plan, maybe for half an hour. A claim on the click's own
    /// delivery tells a redelivery apart from a new click: if it was claimed and never finished, the core that
    /// handled it died (its lease ran out, or the process restarted), so a request it left verifying or executing is
    /// settled as interrupted — never re-run — while a live core's work is never mistaken for a dead one's.
    func click(_ payload: BlockActionsPayload, requester: Requester, delivery: StoredDelivery) async {
        let key = "slack.click:" + delivery.idempotencyKey
        let claim: ExecutionClaim
        do {
            claim = try await store.claimExecution(key: key, deliveryID: delivery.id)
        } catch {
            logger.error("could not claim a click", metadata: ["delivery.id": "\(delivery.id)", "error": "\(error)"])
            return
        }
        switch claim {
        case .finished:
            return
        case .interrupted:
            if let id = payload.actions.first?.value, Self.isApprovalID(id) { await settleInterrupted(id) }
            return
        case .claimed:
            await click(payload, requester: requester)
            do {
                try await store.finishExecution(key: key, result: "done")
            } catch {
                logger.error("could not record a click as handled", metadata: ["delivery.id": "\(delivery.id)", "error": "\(error)"])
            }
        }
    }

    /// Settles a request left verifying or executing by a core that died: nothing is re-run, nothing expired runs.
    func settleInterrupted(_ id: String) async {
        guard let approval = try? await store.approval(id: id), [.verifying, .executing].contains(approval.request.state) else { return }
        logger.notice("settling an approval interrupted mid-flight", metadata: ["approval.id": "\(id)"])
        if approval.request.state == .verifying && approval.request.expiresAt <= now() {
            await apply(.planChecked(matches: false, difference: "it expired while the bot was down"), to: id, clicker: nil)
        } else {
            await apply(.interruptedByRestart, to: id, clicker: nil)
        }
    }

    /// A click on Approve or Deny.
    func click(_ payload: BlockActionsPayload, requester: Requester) async {
        let clicker = Origin(user: payload.user.id, channel: payload.channelID ?? "", responseURL: payload.responseURL)
        guard let action = payload.actions.first else { return }
        let at = now()
        let event: ApprovalMachine.Event
        switch action.actionID {
        case ApprovalMessages.approveAction: event = .approve(requester, at: at)
        case ApprovalMessages.denyAction: event = .deny(requester, at: at)
        default:
            await poster.tellOnly("That button (`\(action.actionID.prefix(60))`) is not one this bot knows; nothing was done.", user: clicker.user, channel: clicker.channel, responseURL: clicker.responseURL)
            return
        }
        guard let id = action.value, Self.isApprovalID(id) else {
            await poster.tellOnly("That button does not name an approval request; nothing was done.", user: clicker.user, channel: clicker.channel, responseURL: clicker.responseURL)
            return
        }
        await apply(event, to: id, clicker: clicker)
    }

    /// Applies an event and carries out what the state machine asks for.
    func apply(_ event: ApprovalMachine.Event, to id: String, clicker: Origin?) async {
        let result: (StoredApproval, [ApprovalMachine.Action])?
        do {
            result = try await store.transitionApproval(id: id, event: event, policy: policy) { old, new, actions in
                Self.auditEntry(event: event, old: old, new: new, actions: actions, slashCommand: slashCommand)
            }
        } catch {
            logger.error("could not update approval", metadata: ["approval.id": "\(id)", "error": "\(error)"])
            if let clicker { await poster.tellOnly("The bot could not record that decision; nothing was done. Try again.", user: clicker.user, channel: clicker.channel, responseURL: clicker.responseURL) }
            return
        }
        guard let (stored, actions) = result else {
            if let clicker { await poster.tellOnly("There is no approval request `\(id)`; nothing was done.", user: clicker.user, channel: clicker.channel, responseURL: clicker.responseURL) }
            return
        }
        for action in actions { await perform(action, stored, clicker: clicker) }
    }

    private func perform(_ action: ApprovalMachine.Action, _ stored: StoredApproval, clicker: Origin?) async {
        let r = stored.request
        switch action {
        case .refuse(let text):
            if let clicker { await poster.tellOnly(text, user: clicker.user, channel: clicker.channel, responseURL: clicker.responseURL) }
        case .persist:
            // Render the newest state: a slower click must not put old buttons back on a decided request.
            let latest = (try? await store.approval(id: r.id)) ?? stored
            await poster.update(ApprovalMessages.render(latest, slashCommand: slashCommand), channel: stored.messageChannel, ts: stored.messageTS, responseURL: clicker?.responseURL ?? stored.responseURL)
        case .announce(let text):
            await poster.reply(.inChannel("Approval `\(r.id)` for `\(slashCommand) \(SlackText.escaped(r.command))`: \(text)."), channel: stored.messageChannel ?? r.channel, threadTS: stored.messageTS, responseURL: clicker?.responseURL ?? stored.responseURL)
        case .verifyPlan:
            await verify(stored, clicker: clicker)
        case .execute:
            await execute(stored, clicker: clicker)
        case .requestAgain(let difference):
            guard case .success(.plugin(let invocation)) = router.route(r.command) else { return }
            let origin = Origin(user: r.requester, channel: r.channel, responseURL: clicker?.responseURL ?? stored.responseURL)
            await request(invocation, origin: origin, note: "The earlier approval `\(r.id)` was void because the plan changed (\(difference)). This is a new request for the same command.")
        }
    }

    /// Measures the preview again; the approval holds only if the plan did not change materially.
    private func verify(_ stored: StoredApproval, clicker: Origin?) async {
        let r = stored.request
        guard case .success(.plugin(let invocation)) = router.route(r.command), invocation.spec.destructive else {
            await apply(.planChecked(matches: false, difference: "the command is no longer available as it was"), to: r.id, clicker: clicker)
            return
        }
        // Permissions may have changed since the request: the requester must still be granted the command here,
        // and the approvals must satisfy the rule as it is now.
        let requester = Requester(userID: r.requester, groups: await groups.groups(of: r.requester))
        // Each approver must still hold an approver role now (a Slack user group may have lost them since).
        var approversStillEligible = true
        for approval in r.approvals {
            let approver = Requester(userID: approval.user, groups: await groups.groups(of: approval.user))
            if !policy.mayApprove(approver, path: r.path) { approversStillEligible = false }
        }
        guard policy.decide(requester, path: r.path, channel: r.channel) == .allow, let rule = policy.approvalRule(for: r.path),
              r.approvals.count >= rule.required, Set(r.approverRoles).isSubset(of: rule.approvers), approversStillEligible
        else {
            await apply(.planChecked(matches: false, difference: "permissions changed since the request"), to: r.id, clicker: clicker)
            return
        }
        let origin = Origin(user: r.requester, channel: r.channel, responseURL: clicker?.responseURL ?? stored.responseURL)
        let audit = AuditEntry(kind: "preview", user: r.requester, channel: r.channel, command: "\(slashCommand) \(r.command)", detail: ["approval_id": .string(r.id)])
        guard let current = await measure(invocation, origin: origin, audit: audit) else {
            await apply(.planChecked(matches: false, difference: "the preview could not be measured again"), to: r.id, clicker: clicker)
            return
        }
        let difference = stored.plan.materialDifference(from: current)
        await apply(.planChecked(matches: difference == nil, difference: difference ?? ""), to: r.id, clicker: clicker)
    }

    /// Ends an approved request that could not start; nothing ran.
    private func finishNotRun(_ stored: StoredApproval, _ why: String, clicker: Origin?) async {
        let r = stored.request
        _ = try? await store.transitionApproval(id: r.id, event: .executionFinished(success: false), policy: policy) { old, new, actions in
            Self.auditEntry(event: .executionFinished(success: false), old: old, new: new, actions: actions, slashCommand: slashCommand)
        }
        await poster.reply(
            .inChannel("Approval `\(r.id)` for `\(slashCommand) \(SlackText.escaped(r.command))`: \(why); nothing ran."),
            channel: stored.messageChannel ?? r.channel, threadTS: stored.messageTS, responseURL: clicker?.responseURL ?? stored.responseURL)
    }

    /// Runs the approved plan once: the execution claim keyed by the approval id is the arbiter.
    private func execute(_ stored: StoredApproval, clicker: Origin?) async {
        let r = stored.request
        let key = "approval:" + r.id
        guard case .success(.plugin(let invocation)) = router.route(r.command) else {
            return await finishNotRun(stored, "the command is no longer available", clicker: clicker)
        }
        let claim: ExecutionClaim
        do {
            claim = try await store.claimExecution(key: key, deliveryID: nil)
        } catch {
            return await finishNotRun(stored, "the bot could not record the run", clicker: clicker)
        }
        guard claim == .claimed else { return }  // it ran (or started) before: never again
        let command = "\(slashCommand) \(r.command)"
        let shown = "\(slashCommand) \(SlackText.escaped(r.command))"
        let base = AuditEntry(
            kind: "action", user: r.requester, channel: r.channel, command: command,
            detail: ["approval_id": .string(r.id), "plan_hash": .string(r.planHash)])
        let progress = ProgressMessage(
            poster: poster, channel: stored.messageChannel ?? r.channel, threadTS: stored.messageTS, title: "`\(shown)` in progress")
        let context = ActionContext(
            userID: r.requester, channelID: r.channel, command: command, logger: logger, approvedFacts: stored.plan.facts,
            pluginDirectory: invocation.spec.pluginDirectory, authorization: .approved, progress: { line in await progress.add(line) })
        let reverts = Reverts(store: store, now: now)
        let replyTarget = ReplyTarget(
            channel: stored.messageChannel ?? r.channel, threadTS: stored.messageTS, responseURL: clicker?.responseURL ?? stored.responseURL)
        let armed = await reverts.arm(
            spec: invocation.spec, arguments: invocation.arguments, command: command, user: r.requester, channel: r.channel, reply: replyTarget)
        if case .failure(let error)? = armed {
            try? await store.finishExecution(key: key, result: "not run: \(error.message)")
            return await finishNotRun(stored, "it must be undone automatically, but \(error.message)", clicker: clicker)
        }
        let revertLine: String? = if case .success(let line)? = armed { line } else { nil }
        let verification = invocation.spec.verify.map { Verification(spec: $0, runner: steps) }
        let before = await verification?.before(arguments: invocation.arguments, context: context, audit: base)
        let outcome = await steps.run(invocation.spec.steps, arguments: invocation.arguments, context: context, audit: base)
        let approvers = r.approvals.map { "<@\($0.user)>" }.joined(separator: ", ")
        let text: String
        var result = base
        result.kind = "result"
        if let failure = outcome.failure {
            text = "❌ `\(shown)` failed — \(SlackText.escaped(failure.dependency)): \(SlackText.escaped(failure.message))"
                + (outcome.lines.isEmpty ? "" : "\nDone before the failure:\n" + outcome.lines.joined(separator: "\n"))
                + (revertLine == nil ? "" : "\n⏱ The automatic revert stays scheduled: part of the command may have been applied.")
            result.outcome = "failed"
            result.detail["error"] = .string(failure.description)
        } else {
            let ended = await reverts.afterSuccess(spec: invocation.spec)
            text = "✅ `\(shown)` (requested by <@\(r.requester)>, approved by \(approvers)):\n"
                + (outcome.lines + [revertLine].compactMap { $0 } + ended).joined(separator: "\n")
            result.outcome = "ok"
        }
        do {
            try await store.finishExecution(key: key, result: text, audit: result)
        } catch {
            logger.error("could not finish execution record", metadata: ["execution.key": "\(key)", "error": "\(error)"])
            _ = try? await store.append(result)
        }
        // Recorded directly: the only follow-up is the message update below, which carries the result.
        let finishedEvent = ApprovalMachine.Event.executionFinished(success: outcome.failure == nil)
        let transitioned = try? await store.transitionApproval(id: r.id, event: finishedEvent, policy: policy) { old, new, actions in
            Self.auditEntry(event: finishedEvent, old: old, new: new, actions: actions, slashCommand: slashCommand)
        }
        var finished = transitioned?.0 ?? stored
        finished.request.state = outcome.failure == nil ? .executed : .failed
        await poster.update(ApprovalMessages.render(finished, slashCommand: slashCommand, result: text), channel: stored.messageChannel, ts: stored.messageTS, responseURL: clicker?.responseURL ?? stored.responseURL)
        let replyChannel = stored.messageChannel ?? r.channel, replyTS = stored.messageTS
        let replyURL = clicker?.responseURL ?? stored.responseURL
        await poster.reply(.inChannel(text), channel: replyChannel, threadTS: replyTS, responseURL: replyURL)
        if outcome.failure == nil, let verification, let before {
            let poster = poster
            verification.followUp(
                before: before, arguments: invocation.arguments, context: context, audit: base, shownCommand: shown
            ) { report in
                await poster.reply(.inChannel(report, blocks: OutputRenderer.sections(report)), channel: replyChannel, threadTS: replyTS, responseURL: replyURL)
            }
        }
    }
}
