import BotCore
import Foundation
import Logging
import PagerDuty
import Slack
import Store

/// What an escalation timer carries: one level of the plan as it was when the incident was triggered.
struct EscalationTimerPayload: Sendable, Codable {
    var incident: String
    var level: Int
    var who: String
    var triggeredAt: Date
}

/// Reminds the incident's thread that nobody acknowledged it, naming the next escalation level (timer kind
/// `pagerduty.escalation`, key `pd-escalation:<incident>:<level>`). At most once: `TimerService` claims the timer
/// before `fire`, and a timer found interrupted by a restart (attempts > 1) is not posted again.
struct EscalationReminderHandler: TimerHandler {
    static let kind = "pagerduty.escalation"
    var kind: String { Self.kind }
    let settings: IncidentSettings
    let store: any BotStore
    let poster: SlackPoster
    let logger: Logger
    let now: @Sendable () -> Int64

    static func prefix(_ incident: String) -> String { "pd-escalation:\(incident):" }

    /// One durable timer per level, due `after` the (re)trigger; a level already reminded is never armed again.
    static func schedule(incident: String, from start: Date, plan: EscalationPlan, store: any BotStore, replace: Bool) async {
        for level in plan.levels {
            let key = prefix(incident) + String(level.level)
            if replace, (try? await store.timerState(key: key)) == "done" { continue }
            let payload = EscalationTimerPayload(incident: incident, level: level.level, who: level.who, triggeredAt: start)
            let due = start.addingTimeInterval(Double(level.after.components.seconds))
            let json = (try? IncidentRecord.encoder.encode(payload)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            _ = try? await store.scheduleTimer(key: key, kind: kind, dueAt: Int64(due.timeIntervalSince1970 * 1000), payload: json, replace: replace)
        }
    }

    func fire(_ timer: StoredTimer) async -> TimerOutcome {
        guard timer.attempts == 0 else {
            logger.notice("escalation reminder interrupted by a restart is not repeated", metadata: ["timer.key": "\(timer.key)"])
            return .done
        }
        guard let payload = try? IncidentRecord.decoder.decode(EscalationTimerPayload.self, from: Data(timer.payload.utf8)),
              let record = try? await store.incident(id: payload.incident).flatMap(IncidentRecord.init)
        else {
            logger.error("escalation timer names no known incident", metadata: ["timer.key": "\(timer.key)"])
            return .done
        }
        guard record.state.status == .triggered else { return .done }
        let level = EscalationPlan.Level(after: .zero, level: payload.level, who: payload.who)
        let at = Date(timeIntervalSince1970: Double(now()) / 1000)
        let text = EscalationPlan.reminder(level, incident: record.incident, triggeredAt: payload.triggeredAt, now: at)
        _ = try? await store.append(AuditEntry(
            kind: "pagerduty", channel: record.messageChannel ?? settings.channel, command: "escalation reminder",
            outcome: "level \(payload.level)", detail: ["incident_id": .string(payload.incident), "level": .int(payload.level), "who": .string(payload.who)]))
        guard let channel = record.messageChannel ?? settings.channel, poster.web != nil else {
            logger.warning("escalation reminder not posted: no Slack channel or bot token", metadata: ["pagerduty.incident_id": "\(payload.incident)"])
            return .done
        }
        await poster.reply(.inChannel(text), channel: channel, threadTS: record.messageTS, responseURL: nil)
        return .done
    }
}

/// 24 h (configurable) after resolution without a post-incident report, reminds the incident's thread once
/// (timer kind `pagerduty.report_reminder`, key `pd-report:<incident>`).
struct ReportReminderHandler: TimerHandler {
    static let kind = "pagerduty.report_reminder"
    var kind: String { Self.kind }
    let settings: IncidentSettings
    let store: any BotStore
    let poster: SlackPoster
    let logger: Logger

    static func key(_ incident: String) -> String { "pd-report:\(incident)" }

    func fire(_ timer: StoredTimer) async -> TimerOutcome {
        guard timer.attempts == 0, let record = try? await store.incident(id: timer.payload).flatMap(IncidentRecord.init),
              record.state.status == .resolved, record.reportAt == nil
        else { return .done }
        let incident = record.incident
        let text = "📝 Incident #\(incident.number) \"\(SlackText.escaped(incident.title))\" was resolved "
            + "\(ElapsedText.format(settings.reportReminderAfter)) ago and has no post-incident report yet: "
            + "`\(settings.slashCommand) incident report \(incident.id)` drafts one from the audit and PagerDuty's events."
        _ = try? await store.append(AuditEntry(
            kind: "pagerduty", channel: record.messageChannel ?? settings.channel, command: "report reminder", outcome: "reminded",
            detail: ["incident_id": .string(incident.id)]))
        guard let channel = record.messageChannel ?? settings.channel, poster.web != nil else {
            logger.warning("report reminder not posted: no Slack channel or bot token", metadata: ["pagerduty.incident_id": "\(incident.id)"])
            return .done
        }
        await poster.reply(.inChannel(text), channel: channel, threadTS: record.messageTS, responseURL: nil)
        return .done
    }
}
