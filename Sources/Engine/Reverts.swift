import Actions
import BotCore
import Foundation
import Logging
import Slack
import Store

/// Where a command's follow-ups go: the thread of the bot's message when there is one, else the response_url.
struct ReplyTarget: Sendable, Codable {
    var channel: String?
    var threadTS: String?
    var responseURL: String?
}

/// A scheduled revert, as stored in the timer's payload: the resolved steps, so a plugin edited meanwhile cannot
/// change what runs; who asked and where to say it.
struct RevertPlan: Sendable, Codable {
    struct Step: Sendable, Codable {
        let action: String
        let parameters: [String: JSONValue]
    }

    let key: String
    let command: String
    let user: String
    let channel: String
    let reply: ReplyTarget
    let steps: [Step]
    let dueAt: Int64
}

struct RevertError: Error {
    let message: String
}

/// Schedules reverts before a command runs and cancels them after one that ends them (timer kind `revert`,
/// key `revert:<key>`).
struct Reverts: Sendable {
    let store: any BotStore
    let now: @Sendable () -> Int64

    /// The seconds until the revert of `spec`, from its `after` and the command's arguments; nil when it cannot be
    /// worked out (the command must then not run: it would never be undone).
    static func delay(of spec: RevertSpec, arguments: [String: ArgumentValue]) -> Int? {
        let text: String
        if let name = StepTemplate.references(in: spec.after).first, spec.after == "{\(name)}" {
            guard let value = arguments[name] else { return nil }
            text = value.description
        } else {
            text = spec.after
        }
        return RevertSpec.seconds(text)
    }

    /// Before the steps run: schedule this command's revert durably, so a crash or a step that fails half-way still
    /// gets undone (the revert steps are idempotent patches). nil = nothing to schedule; `.failure` = it could not be
    /// scheduled, and the command must not run.
    func arm(
        spec: CommandSpec, arguments: [String: ArgumentValue], command: String, user: String, channel: String, reply: ReplyTarget
    ) async -> Result<String, RevertError>? {
        guard let revert = spec.revert else { return nil }
        guard let seconds = Self.delay(of: revert, arguments: arguments) else {
            return .failure(RevertError(message: "its duration is not like 90s, 30m or 2h (at most 24h)"))
        }
        let due = now() + Int64(seconds) * 1000
        let steps = revert.steps.map { step in
            RevertPlan.Step(action: step.action, parameters: step.resolve(with: arguments).mapValues(JSONValue.init))
        }
        let plan = RevertPlan(key: revert.key, command: command, user: user, channel: channel, reply: reply, steps: steps, dueAt: due)
        let payload = (try? JSONEncoder().encode(plan)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        do {
            try await store.scheduleTimer(key: "revert:" + revert.key, kind: RevertHandler.kind, dueAt: due, payload: payload, replace: true)
        } catch {
            return .failure(RevertError(message: "the automatic revert could not be stored (\(error))"))
        }
        let at = Timestamp.rfc3339(Date(timeIntervalSince1970: Double(due) / 1000))
        return .success("⏱ Automatic revert at \(at) (in \(Self.describe(seconds))), also if the bot restarts meanwhile.")
    }

    /// After success: cancel the revert this command ends early (`cancels:`). Returns lines for the reply.
    func afterSuccess(spec: CommandSpec) async -> [String] {
        guard let key = spec.cancels, (try? await store.cancelTimer(key: "revert:" + key)) == true else { return [] }
        return ["⏱ The scheduled automatic revert (`\(key)`) is cancelled: this command ended it early."]
    }

    static func describe(_ seconds: Int) -> String {
        seconds % 3600 == 0 ? "\(seconds / 3600) h" : seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
    }
}

/// Runs a due revert's steps (audited as `revert`) and says so where the command was answered. At least once: a
/// failed step is retried every 30 s (its actions are idempotent patches), and the failure is said once.
struct RevertHandler: TimerHandler {
    static let kind = "revert"
    var kind: String { Self.kind }
    let actions: ActionRegistry
    let store: any BotStore
    let poster: SlackPoster
    let logger: Logger

    func fire(_ timer: StoredTimer) async -> TimerOutcome {
        guard let plan = try? JSONDecoder().decode(RevertPlan.self, from: Data(timer.payload.utf8)) else {
            logger.error("unreadable revert timer", metadata: ["timer.key": "\(timer.key)"])
            return .done
        }
        let context = ActionContext(userID: plan.user, channelID: plan.channel, command: plan.command, logger: logger)
        let base = AuditEntry(kind: "revert", user: plan.user, channel: plan.channel, command: plan.command, detail: ["revert_key": .string(plan.key)])
        let steps = plan.steps.map { (action: $0.action, parameters: $0.parameters.mapValues(ResolvedValue.init)) }
        let outcome = await StepRunner(actions: actions, store: store, logger: logger)
            .run(resolved: steps, context: context, audit: base, kind: "revert")
        let shown = SlackText.escaped(plan.command)
        if let failure = outcome.failure {
            if timer.attempts == 0 {
                let text = "🚨 The automatic revert of `\(shown)` FAILED — \(SlackText.escaped(failure.dependency)): \(SlackText.escaped(failure.message)). "
                    + "The bot retries every 30 s; undo it by hand if this persists."
                await poster.reply(.inChannel(text), channel: plan.reply.channel, threadTS: plan.reply.threadTS, responseURL: plan.reply.responseURL)
            }
            return .retry(after: .seconds(30))
        }
        let text = "⏱ Time is up for `\(shown)` (requested by <@\(plan.user)>): reverted automatically.\n" + outcome.lines.joined(separator: "\n")
        await poster.reply(.inChannel(text), channel: plan.reply.channel, threadTS: plan.reply.threadTS, responseURL: plan.reply.responseURL)
        return .done
    }
}

extension JSONValue {
    init(_ value: ResolvedValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .bool(let b): self = .bool(b)
        case .list(let items): self = .array(items.map(JSONValue.init))
        case .map(let m): self = .object(m.mapValues(JSONValue.init))
        }
    }
}

extension ResolvedValue {
    init(_ value: JSONValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .bool(let b): self = .bool(b)
        case .null: self = .string("")
        case .array(let items): self = .list(items.map(ResolvedValue.init))
        case .object(let m): self = .map(m.mapValues(ResolvedValue.init))
        }
    }
}
