import Foundation

/// One v3 webhook delivery, parsed (see ``PagerDutyWebhook/parse(_:)``).
package struct WebhookEvent: Sendable, Equatable {
    package enum EventType: Sendable, Equatable, Hashable {
        case triggered
        case acknowledged
        case unacknowledged
        case resolved
        case reopened
        case escalated
        case reassigned
        case priorityUpdated
        case annotated
        case ping
        /// Any other `event_type` (e.g. `incident.responder.added`, `service.created`): acknowledged and ignored.
        case other(String)

        package init(wireName: String) {
            switch wireName {
            case "incident.triggered": self = .triggered
            case "incident.acknowledged": self = .acknowledged
            case "incident.unacknowledged": self = .unacknowledged
            case "incident.resolved": self = .resolved
            case "incident.reopened": self = .reopened
            case "incident.escalated": self = .escalated
            case "incident.reassigned": self = .reassigned
            case "incident.priority_updated": self = .priorityUpdated
            case "incident.annotated": self = .annotated
            case "pagey.ping": self = .ping
            default: self = .other(wireName)
            }
        }

        package var wireName: String {
            switch self {
            case .triggered: "incident.triggered"
            case .acknowledged: "incident.acknowledged"
            case .unacknowledged: "incident.unacknowledged"
            case .resolved: "incident.resolved"
            case .reopened: "incident.reopened"
            case .escalated: "incident.escalated"
            case .reassigned: "incident.reassigned"
            case .priorityUpdated: "incident.priority_updated"
            case .annotated: "incident.annotated"
            case .ping: "pagey.ping"
            case .other(let name): name
            }
        }
    }

    /// PagerDuty's event id (not the `X-Webhook-Id` delivery id, which the listener dedupes on).
    package var id: String
    package var type: EventType
    /// `occurred_at` exactly as sent.
    package var occurredAt: String
    /// `occurred_at` parsed; events of one incident are ordered by this, never by arrival.
    package var occurredDate: Date
    /// Summary (name) of the user or service that caused the event, if any.
    package var agent: String?
    /// The full incident, for events whose `data.type` is `incident`.
    package var incident: Incident?
    /// The incident the event is about: `incident.id`, or the reference inside e.g. an annotation.
    package var incidentID: String?
    /// The note text of `incident.annotated`.
    package var note: String?

    package init(
        id: String, type: EventType, occurredAt: String, occurredDate: Date, agent: String? = nil,
        incident: Incident? = nil, incidentID: String? = nil, note: String? = nil
    ) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.occurredDate = occurredDate
        self.agent = agent
        self.incident = incident
        self.incidentID = incidentID ?? incident?.id
        self.note = note
    }
}
