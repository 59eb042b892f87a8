import BotCore
import Foundation

/// One audit record the integrator passes to ``IncidentTimeline`` (plain values, no store types).
package struct TimelineEntry: Sendable, Equatable {
    package var at: Date
    /// Slack user id or name of who acted.
    package var user: String
    /// Audit kind: `command`, `action`, `result`, `approval_requested`, `approved`, `denied_approval`,
    /// `expired`, `break_glass`, `pagerduty`, …
    package var kind: String
    package var command: String
    package var outcome: String

    package init(at: Date, user: String, kind: String, command: String, outcome: String) {
        self.at = at
        self.user = user
        self.kind = kind
        self.command = command
        self.outcome = outcome
    }

    /// From an audit row whose `at` is RFC 3339; nil when the time cannot be read.
    package init?(at rfc3339: String, user: String, kind: String, command: String, outcome: String) {
        guard let date = RFC3339.parse(rfc3339) else { return nil }
        self.init(at: date, user: user, kind: kind, command: command, outcome: outcome)
    }

    /// Approval records (requested, approved, denied, expired, break-glass).
    package var isApproval: Bool {
        ["approval_requested", "approved", "denied_approval", "expired", "break_glass"].contains(kind)
    }
}

/// One PagerDuty event of the incident for the timeline (from stored webhook events).
package struct IncidentActivity: Sendable, Equatable {
    package var type: WebhookEvent.EventType
    package var at: Date
    package var agent: String?

    package init(type: WebhookEvent.EventType, at: Date, agent: String? = nil) {
        self.type = type
        self.at = at
        self.agent = agent
    }

    package init(_ event: WebhookEvent) {
        self.init(type: event.type, at: event.occurredDate, agent: event.agent)
    }

    var label: String {
        switch type {
        case .triggered: "triggered"
        case .acknowledged: "acknowledged"
        case .unacknowledged: "unacknowledged"
        case .resolved: "resolved"
        case .reopened: "reopened"
        case .escalated: "escalated"
        case .reassigned: "reassigned"
        case .priorityUpdated: "priority changed"
        case .annotated: "note added"
        case .ping: "ping"
        case .other(let name): name
        }
    }
}
