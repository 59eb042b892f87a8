import Foundation
import PagerDuty
import Store

/// The post-incident draft of one tracked incident: PagerDuty's events from the `incidents` row and the audit of
/// the incident channel while it was open (commands, approvals, results, PagerDuty actions), as Markdown.
package enum IncidentReport {
    package struct Failure: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// The incident an operator means by `PABC123`, `#12` or `12`, among those the bot tracked.
    package static func find(_ reference: String, in store: any BotStore) async throws -> StoredIncident? {
        let trimmed = reference.trimmingCharacters(in: .whitespaces)
        if let exact = try await store.incident(id: trimmed) { return exact }
        let digits = trimmed.hasPrefix("#") ? String(trimmed.dropFirst()) : trimmed
        guard let number = Int(digits) else { return nil }
        for row in try await store.incidents() {
            if IncidentRecord(row)?.incident.number == number { return row }
        }
        return nil
    }

    /// The Markdown draft, with the incident's id. `channel` is the incident channel (`PAGERDUTY_SLACK_CHANNEL`) used
    /// when the incident's message was never posted.
    package static func markdown(
        for reference: String, store: any BotStore, channel: String?, now: Date
    ) async throws -> (id: String, markdown: String) {
        guard let row = try await find(reference, in: store), let record = IncidentRecord(row) else {
            throw Failure(description: "The bot has no record of PagerDuty incident `\(reference.prefix(40))` (it tracks incidents from their webhooks).")
        }
        let channels = Set([record.messageChannel, channel].compactMap { $0 })
        let start = record.triggeredAt ?? record.events.first?.at ?? .distantPast
        let records = try await store.auditRecords(sinceAt: Timestamp.rfc3339(start.addingTimeInterval(-1)))
        let entries: [TimelineEntry] = records.compactMap { audit in
            let aboutIncident = audit.detail["incident_id"]?.stringValue == row.id
            if audit.kind == "pagerduty" {
                // PagerDuty's own events are in the timeline already; keep what people did through the bot.
                guard aboutIncident, audit.user != nil else { return nil }
            } else {
                guard let channel = audit.channel, channels.contains(channel) || aboutIncident else { return nil }
                guard ["command", "action", "result", "approval_requested", "approved", "denied_approval", "expired", "break_glass",
                       "interrupted", "revert"].contains(audit.kind) else { return nil }
            }
            return TimelineEntry(at: audit.at, user: audit.user ?? "hybridbot", kind: audit.kind, command: audit.command ?? "", outcome: audit.outcome ?? "")
        }
        let timeline = IncidentTimeline(incident: record.incident, activities: record.activities, entries: entries)
        return (row.id, timeline.markdown(generatedAt: now))
    }
}
