import Actions
import BotCore
import Slack
import Store

/// The runbook's success check (`verify:` of a command): measured right before the command runs and again
/// `delaySeconds` after it succeeded; the follow-up says before → after. Read-only steps only.
struct Verification: Sendable {
    let spec: VerifySpec
    let runner: StepRunner

    /// Measures the "before" state; a failed measurement is reported, it never stops the command.
    func before(arguments: [String: ArgumentValue], context: ActionContext, audit base: AuditEntry) async -> StepRunner.Outcome {
        var entry = base
        entry.detail["verification"] = .string("before")
        return await runner.run(spec.steps, arguments: arguments, context: context, audit: entry, readOnly: true, kind: "verification")
    }

    /// Waits, measures again and hands the before/after text to `post`. Runs detached from the command's reply.
    func followUp(
        before: StepRunner.Outcome, arguments: [String: ArgumentValue], context: ActionContext, audit base: AuditEntry,
        shownCommand: String, post: @escaping @Sendable (String) async -> Void
    ) {
        let spec = spec, runner = runner
        Task {
            if spec.delaySeconds > 0 {
                do { try await Task.sleep(for: .seconds(spec.delaySeconds)) } catch { return }
            }
            var entry = base
            entry.detail["verification"] = .string("after")
            let after = await runner.run(spec.steps, arguments: arguments, context: context, audit: entry, readOnly: true, kind: "verification")
            await post(Self.report(shownCommand: shownCommand, delay: spec.delaySeconds, before: before, after: after))
        }
    }

    static func report(shownCommand: String, delay: Int, before: StepRunner.Outcome, after: StepRunner.Outcome) -> String {
        func side(_ outcome: StepRunner.Outcome) -> String {
            var text = outcome.lines.joined(separator: "\n")
            if let failure = outcome.failure {
                text += (text.isEmpty ? "" : "\n") + "could not measure — \(SlackText.escaped(failure.dependency)): \(SlackText.escaped(failure.message))"
            }
            return text.isEmpty ? "_nothing measured_" : text
        }
        var changes: [String] = []
        for (b, a) in zip(before.outputs, after.outputs) {
            for key in b.facts.keys.sorted() {
                guard let was = b.facts[key], let now = a.facts[key], was != now, Double(was) != nil, Double(now) != nil else { continue }
                changes.append("`\(key)` \(was) → \(now)")
            }
        }
        let delayText = delay == 0 ? "right after" : "\(delay) s after"
        var text = "🔎 *Verification* of `\(shownCommand)`, \(delayText) it ran:"
        if !changes.isEmpty { text += "\n" + changes.joined(separator: ", ") }
        text += "\n\n*Before:*\n" + side(before) + "\n\n*After:*\n" + side(after)
        return text
    }
}
