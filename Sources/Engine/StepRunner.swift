import Actions
import BotCore
import Logging
import Slack
import Store

/// Runs a command's steps (or preview) in order, auditing each action; stops at the first failure.
struct StepRunner: Sendable {
    let actions: ActionRegistry
    let store: any BotStore
    let logger: Logger

    struct Outcome: Sendable {
        var outputs: [ActionOutput] = []
        var failure: ActionFailure?
        /// Each output as mrkdwn: summary, then its tables and indicators (see OutputRenderer).
        var lines: [String] { outputs.map { OutputRenderer.paragraphs($0).joined(separator: "\n\n") } }
    }

    func run(
        _ steps: [StepTemplate], arguments: [String: ArgumentValue], context: ActionContext, audit base: AuditEntry,
        readOnly: Bool = false, kind: String? = nil
    ) async -> Outcome {
        await run(resolved: steps.map { ($0.action, $0.resolve(with: arguments)) }, context: context, audit: base, readOnly: readOnly, kind: kind)
    }

    /// Steps whose parameters are already resolved (a stored revert): nothing in them is substituted again.
    func run(
        resolved steps: [(action: String, parameters: [String: ResolvedValue])], context: ActionContext, audit base: AuditEntry,
        readOnly: Bool = false, kind: String? = nil
    ) async -> Outcome {
        var outcome = Outcome()
        for step in steps {
            var parameters = step.parameters
            // `on_failure: continue` (diagnostics): a failed step becomes a ⚠️ line and the next steps still run.
            let continueOnFailure = parameters.removeValue(forKey: "on_failure") == .string("continue")
            var entry = base
            entry.kind = kind ?? (readOnly ? "preview" : "action")
            entry.detail["action"] = .string(step.action)
            entry.detail["parameters"] = .object(parameters.mapValues { .string($0.description) })
            do {
                guard let action = actions[step.action] else {
                    throw ActionFailure(dependency: step.action, message: "this build has no action `\(step.action)`")
                }
                if context.authorization == .direct && ActionCatalog.requiringApproval.contains(step.action) {
                    throw ActionFailure(dependency: step.action, message: "runs only after an approval: mark the command `destructive: true`")
                }
                if readOnly && !action.readOnly {
                    throw ActionFailure(dependency: step.action, message: "`\(step.action)` changes things and cannot be a preview step")
                }
                let output = try await action.run(parameters, context: context)
                outcome.outputs.append(output)
                entry.outcome = "ok"
                entry.detail["facts"] = .object(output.facts.mapValues { .string($0) })
                await append(entry)
            } catch let error as ActionFailure {
                entry.outcome = "error"
                entry.detail["error"] = .string(error.description)
                await append(entry)
                if continueOnFailure {
                    outcome.outputs.append(ActionOutput(
                        summary: "⚠️ *\(SlackText.escaped(error.dependency))*: \(SlackText.escaped(error.message))", facts: ["error": error.description]))
                    continue
                }
                outcome.failure = error
                break
            } catch {
                outcome.failure = ActionFailure(dependency: step.action, message: "failed unexpectedly")
                entry.outcome = "error"
                await append(entry)
                break
            }
        }
        return outcome
    }

    private func append(_ entry: AuditEntry) async {
        do {
            try await store.append(entry)
        } catch {
            logger.critical("could not write the audit", metadata: ["audit.kind": "\(entry.kind)", "error": "\(error)"])
        }
    }
}
