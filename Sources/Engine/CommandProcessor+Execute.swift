import Actions
import BotCore
import Logging
import Slack
import Store

extension CommandProcessor {
    /// Runs a permitted command's steps once per trigger_id: the execution claim in SQLite is the arbiter.
    func execute(_ invocation: CommandInvocation, command: SlashCommand, canonical: String, deliveryID: Int64, breakGlass: String? = nil) async {
        let key = "slack.command:" + command.triggerID
        let claim: ExecutionClaim
        do {
            claim = try await store.claimExecution(key: key, deliveryID: deliveryID)
        } catch {
            logger.error("could not claim execution", metadata: ["execution.key": "\(key)", "error": "\(error)"])
            await poster.respond(.ephemeral("The bot could not record this command, so it did not run it. Try again in a moment."), to: command)
            return
        }
        var base = AuditEntry(kind: "result", user: command.userID, channel: command.channelID, command: canonical,
                              detail: ["trigger_id": .string(command.triggerID)])
        if let breakGlass { base.detail["break_glass_reason"] = .string(breakGlass) }
        switch claim {
        case .finished(let result):
            await poster.respond(.inChannel(result), to: command)
            return
        case .interrupted(let startedAt, let firstReport):
            // Audited once; the same delivery handed out again (a lease that ran out meanwhile) only repeats the answer.
            if firstReport {
                var entry = base
                entry.kind = "interrupted"
                entry.outcome = "interrupted"
                entry.detail["started_at"] = .string(startedAt)
                await record(entry)
            }
            let text = "⚠️ `\(invocation.canonicalText)` was interrupted: the bot stopped while running it (started \(startedAt)). "
                + "Its effect is unknown — check the current state, then run the command again if it is still needed."
            await poster.respond(.inChannel(text), to: command)
            return
        case .claimed:
            break
        }

        let progress = ProgressMessage(
            poster: poster, channel: command.channelID, threadTS: nil, title: "`\(SlackText.escaped(canonical))` in progress")
        let context = ActionContext(userID: command.userID, channelID: command.channelID, command: canonical, logger: logger,
                                    pluginDirectory: invocation.spec.pluginDirectory,
                                    authorization: breakGlass == nil ? .direct : .breakGlass,
                                    progress: { line in await progress.add(line) })
        let reverts = Reverts(store: store, now: approvals.now)
        var revertLine: String?
        switch await reverts.arm(
            spec: invocation.spec, arguments: invocation.arguments, command: canonical, user: command.userID, channel: command.channelID,
            reply: ReplyTarget(channel: command.channelID, threadTS: nil, responseURL: command.responseURL)) {
        case .failure(let error)?:
            let text = "Not run: `\(SlackText.escaped(canonical))` must be undone automatically, but \(error.message)."
            try? await store.finishExecution(key: key, result: text)
            await poster.respond(.ephemeral(text), to: command)
            return
        case .success(let line)?:
            revertLine = line
        case nil:
            break
        }
        let runner = StepRunner(actions: actions, store: store, logger: logger)
        let verification = invocation.spec.verify.map { Verification(spec: $0, runner: runner) }
        let before = await verification?.before(arguments: invocation.arguments, context: context, audit: base)
        let outcome = await runner.run(invocation.spec.steps, arguments: invocation.arguments, context: context, audit: base)
        let lines = outcome.lines
        let failure = outcome.failure

        let header = "<@\(command.userID)> ran `\(SlackText.escaped(canonical))`"
        let text: String
        var result = base
        if let failure {
            text = header + "\n❌ *Failed* — \(SlackText.escaped(failure.dependency)): \(SlackText.escaped(failure.message))"
                + (lines.isEmpty ? "" : "\nDone before the failure:\n" + lines.joined(separator: "\n"))
                + (revertLine == nil ? "" : "\n⏱ The automatic revert stays scheduled: part of the command may have been applied.")
            result.outcome = "failed"
            result.detail["error"] = .string(failure.description)
        } else {
            let ended = await reverts.afterSuccess(spec: invocation.spec)
            text = header + "\n✅ " + (lines + [revertLine].compactMap { $0 } + ended).joined(separator: "\n")
            result.outcome = "ok"
        }
        do {
            try await store.finishExecution(key: key, result: text, audit: result)
        } catch {
            logger.error("could not finish execution record", metadata: ["execution.key": "\(key)", "error": "\(error)"])
            await record(result)
        }
        await poster.respond(.inChannel(text, blocks: OutputRenderer.sections(text)), to: command)
        if failure == nil, let verification, let before {
            let poster = poster
            verification.followUp(
                before: before, arguments: invocation.arguments, context: context, audit: base,
                shownCommand: SlackText.escaped(canonical)
            ) { report in
                await poster.respond(.inChannel(report, blocks: OutputRenderer.sections(report)), to: command)
            }
        }
    }
}
