import BotCore
import Foundation

/// A post-incident draft in Markdown, built purely from PagerDuty events and audit entries.
///
/// Times come from the events: triggered = first `triggered` (else `createdAt` of the incident),
/// acknowledged = first `acknowledged` after that, resolved = last `resolved`. Audit entries count
/// when they fall between triggered and resolved (or now, for an open incident); the integrator
/// chooses which entries to pass (e.g. the incident channel).
package struct IncidentTimeline: Sendable {
    package var incident: Incident
    package var activities: [IncidentActivity]
    package var entries: [TimelineEntry]

    package init(incident: Incident, activities: [IncidentActivity], entries: [TimelineEntry]) {
        self.incident = incident
        self.activities = activities.sorted { $0.at < $1.at }
        self.entries = entries.sorted { $0.at < $1.at }
    }

    package var triggeredAt: Date? {
        activities.first { $0.type == .triggered }?.at ?? incident.createdAt.flatMap(RFC3339.parse) ?? activities.first?.at
    }

    package var acknowledged: IncidentActivity? {
        let start = triggeredAt ?? .distantPast
        return activities.first { $0.type == .acknowledged && $0.at >= start }
    }

    package var resolved: IncidentActivity? {
        // A reopened incident counts as resolved only when its last state change is a resolution.
        guard let last = activities.last(where: { IncidentState.target(of: $0.type) != nil }), last.type == .resolved else { return nil }
        return last
    }

    package var timeToAcknowledge: Double? {
        guard let start = triggeredAt, let ack = acknowledged else { return nil }
        return ack.at.timeIntervalSince(start)
    }

    package var timeToResolve: Double? {
        guard let start = triggeredAt, let end = resolved else { return nil }
        return end.at.timeIntervalSince(start)
    }

    /// Audit entries while the incident was open, in time order.
    package var entriesWhileOpen: [TimelineEntry] {
        let start = triggeredAt ?? .distantPast
        let end = resolved?.at ?? .distantFuture
        return entries.filter { $0.at >= start && $0.at <= end }
    }

    /// True when a report is owed: resolved at least `after` ago (24 h) and none written yet.
    package static func reportReminderDue(resolvedAt: Date?, now: Date, reportWritten: Bool, after: Duration = .seconds(24 * 3600)) -> Bool {
        guard let resolvedAt, !reportWritten else { return false }
        return now.timeIntervalSince(resolvedAt) >= after.inSeconds
    }
}
