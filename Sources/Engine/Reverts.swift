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

/// Schedules and cancels reverts after a command succeeded (timer kind `revert`, key `revert:<key>`).
struct Reverts: Sendable {
    let store: HybridStore
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

    /// After success: schedule this command's revert and/or cancel the one it ends. Returns lines for the reply.
    func afterSuccess(
        spec: CommandSpec, arguments: [String: ArgumentValue], command: String, user: String, channel: String, reply: ReplyTarget
    ) async -> [String] {
        var lines: [String] = []
        if let key = spec.cancels {
            if (try? await store.cancelTimer(key: "revert:" + key)) == true {
                lines.append("⏱ The scheduled automatic revert (`\(key)`) is cancelled: this command ended it early.")
            }
        }
        if let revert = spec.revert, let seconds = Self.delay(of: revert, arguments: arguments) {
            let due = now() + Int64(seconds) * 1000
            let steps = revert.steps.map { step in
                RevertPlan.Step(action: step.action, parameters: step.resolve(with: arguments).mapValues(JSONValue.init))
            }
            let plan = RevertPlan(key: revert.key, command: command, user: user, channel: channel, reply: reply, steps: steps, dueAt: due)
            let payload = (try? JSONEncoder().encode(plan)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            do {
                try await store.scheduleTimer(key: "revert:" + revert.key, kind: RevertHandler.kind, dueAt: due, payload: payload, replace: true)
                let at = Timestamp.rfc3339(Date(timeIntervalSince1970: Double(due) / 1000))
                lines.append("⏱ Automatic revert at \(at) (in \(Self.describe(seconds))), also if the bot restarts meanwhile.")
            } catch {
                lines.append("⚠️ The automatic revert could NOT be scheduled (\(error)). Undo this by hand when it is no longer needed.")
            }
        }
        return lines
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
    let store: HybridStore
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
            if timer.attempts <= 1 {
                let text = "🚨 The automatic revert of `\(shown)` FAILED — \(failure.dependency): \(failure.message). "
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
