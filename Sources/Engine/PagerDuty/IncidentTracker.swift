import BotCore
import Foundation
import Logging
import PagerDuty
import Slack
import Store

/// Carries stored PagerDuty webhooks into Slack: posts an incident once in `PAGERDUTY_SLACK_CHANNEL` with
/// Acknowledge/Resolve buttons, updates that message in place as the incident moves (never backwards, see
/// ``IncidentState``), and arms or disarms the durable escalation and report reminders.
struct IncidentTracker: Sendable {
    let settings: IncidentSettings
    let store: any BotStore
    let poster: SlackPoster
    let locks: IncidentLocks
    let logger: Logger

    func process(_ delivery: StoredDelivery) async {
        let event: WebhookEvent
        do {
            event = try PagerDutyWebhook.parse(Array(delivery.payload.utf8))
        } catch {
            logger.error("stored PagerDuty delivery cannot be read", metadata: ["delivery.id": "\(delivery.id)"])
            return
        }
        guard let id = event.incidentID, IncidentState.target(of: event.type) != nil || event.incident != nil
            || [.escalated, .reassigned, .annotated].contains(event.type)
        else {
            logger.info("PagerDuty event ignored", metadata: ["pagerduty.event_type": "\(event.type.wireName)"])
            return
        }
        await locks.run(id) { await apply(event, incidentID: id) }
    }

    private func apply(_ event: WebhookEvent, incidentID id: String) async {
        let old: IncidentRecord?
        do {
            old = try await store.incident(id: id).flatMap(IncidentRecord.init)
        } catch {
            logger.error("could not read incident", metadata: ["pagerduty.incident_id": "\(id)", "error": "\(error)"])
            return
        }
        guard let change = IncidentRecord.applying(event, to: old) else {
            logger.info("PagerDuty event about an unknown incident ignored", metadata: ["pagerduty.incident_id": "\(id)"])
            return
        }
        guard !change.ignored else { return }
        var record = change.record
        do {
            let row = record.row(id: id)
            // Fields other writers set meanwhile (the message ts, the report time) are kept from the row read inside
            // the transaction, never overwritten by this event's older copy.
            try await store.updateIncident(id: id) { current in
                var merged = row
                merged.messageChannel = row.messageChannel ?? current?.messageChannel
                merged.messageTS = row.messageTS ?? current?.messageTS
                merged.reportAt = row.reportAt ?? current?.reportAt
                return merged
            }
        } catch {
            logger.error("could not store incident", metadata: ["pagerduty.incident_id": "\(id)", "error": "\(error)"])
            return
        }
        let previous = old?.state.status
        let status = record.state.status
        await audit(AuditEntry(
            kind: "pagerduty", channel: record.messageChannel ?? settings.channel, command: event.type.wireName,
            outcome: change.statusChanged ? status.rawValue : "noted",
            detail: ["incident_id": .string(id), "event_id": .string(event.id), "number": .int(record.incident.number)]))

        if record.messageTS == nil {
            if let posted = await post(record) {
                record.messageChannel = posted.0
                record.messageTS = posted.1
                try? await store.setIncidentMessage(id: id, channel: posted.0, ts: posted.1)
            }
        } else if change.redraw {
            await poster.update(Self.message(record, settings: settings), channel: record.messageChannel, ts: record.messageTS, responseURL: nil)
        }
        if event.type == .annotated, let note = event.note, !note.isEmpty, record.messageTS != nil {
            let who = event.agent.map { "\(SlackText.escaped($0)) added a note" } ?? "Note added"
            await poster.reply(.inChannel("📝 \(who) in PagerDuty: \(SlackText.escaped(String(note.prefix(500))))"),
                               channel: record.messageChannel, threadTS: record.messageTS, responseURL: nil)
        }
        await rearm(id: id, record: record, previous: previous, status: status)
    }

    /// Escalation reminders while triggered; a report reminder once resolved.
    private func rearm(id: String, record: IncidentRecord, previous: IncidentStatus?, status: IncidentStatus) async {
        guard previous != status else { return }
        switch status {
        case .triggered:
            _ = try? await store.cancelTimer(key: ReportReminderHandler.key(id))
            await EscalationReminderHandler.schedule(incident: id, from: record.state.statusAt, plan: settings.escalation, store: store, replace: previous != nil)
        case .acknowledged:
            _ = try? await store.cancelTimers(prefix: EscalationReminderHandler.prefix(id))
        case .resolved:
            _ = try? await store.cancelTimers(prefix: EscalationReminderHandler.prefix(id))
            guard record.reportAt == nil else { return }
            let due = record.state.statusAt.addingTimeInterval(Double(settings.reportReminderAfter.components.seconds))
            _ = try? await store.scheduleTimer(
                key: ReportReminderHandler.key(id), kind: ReportReminderHandler.kind, dueAt: Int64(due.timeIntervalSince1970 * 1000),
                payload: id, replace: true)
        }
    }

    private func post(_ record: IncidentRecord) async -> (String, String)? {
        guard let channel = settings.channel else {
            logger.notice("PAGERDUTY_SLACK_CHANNEL is not set: incident tracked but not posted", metadata: ["pagerduty.incident_id": "\(record.incident.id)"])
            return nil
        }
        guard poster.web != nil else {
            logger.notice("SLACK_BOT_TOKEN is not set: incidents cannot be posted to Slack (only chat.postMessage can be updated in place later)",
                          metadata: ["pagerduty.incident_id": "\(record.incident.id)"])
            return nil
        }
        return await poster.postPublic(Self.message(record, settings: settings), channel: channel, responseURL: nil)
    }

    /// The incident message: text, fields and the buttons the current status allows.
    static func message(_ record: IncidentRecord, settings: IncidentSettings) -> SlackMessage {
        let status = record.state.status
        let suggestion = settings.suggestion.command(for: record.incident)
        var text = IncidentMessage.text(for: record.incident, status: status, suggestion: suggestion, by: status == .triggered ? nil : record.agent)
        if settings.slashCommand != "/hybrid" { text = text.replacingOccurrences(of: "`/hybrid ", with: "`\(settings.slashCommand) ") }
        let buttons = IncidentMessage.actionIDs(for: status).map { actionID in
            actionID == IncidentMessage.acknowledgeActionID
                ? Button(text: "Acknowledge", actionID: actionID, value: record.incident.id, style: "primary")
                : Button(text: "Resolve", actionID: actionID, value: record.incident.id, style: "danger",
                         confirm: .init(title: "Resolve incident?", text: "Resolve #\(record.incident.number) in PagerDuty as you.", confirm: "Resolve", deny: "Cancel"))
        }
        var blocks: [Block] = [.section(text)]
        if !buttons.isEmpty { blocks.append(.actions(buttons, id: "pagerduty")) }
        return .inChannel(text, blocks: blocks)
    }

    private func audit(_ entry: AuditEntry) async {
        do { try await store.append(entry) } catch {
            logger.critical("could not write the audit", metadata: ["audit.kind": "\(entry.kind)", "error": "\(error)"])
        }
    }
}
