/// A PagerDuty incident as the bot shows it: the same shape whether it came from a v3 webhook
/// (`event.data`) or from the REST API (`GET /incidents`).
package struct Incident: Sendable, Equatable, Codable {
    /// A `{id, summary}` reference (service, user, escalation policy, priority).
    package struct Reference: Sendable, Equatable, Codable {
        package var id: String
        package var summary: String

        package init(id: String, summary: String) {
            self.id = id
            self.summary = summary
        }
    }

    package var id: String
    package var number: Int
    package var title: String
    /// `triggered`, `acknowledged` or `resolved`, as PagerDuty spells it.
    package var status: String
    /// `high` or `low`; nil when PagerDuty did not say.
    package var urgency: String?
    /// e.g. `P1`; nil when the account uses no priorities or none is set.
    package var priority: String?
    package var service: Reference?
    /// Summaries (names) of the assigned users, in PagerDuty's order.
    package var assignees: [String]
    package var htmlURL: String?
    package var escalationPolicy: Reference?
    /// RFC 3339 creation time, when the payload carries it.
    package var createdAt: String?

    package init(
        id: String, number: Int, title: String, status: String, urgency: String? = nil, priority: String? = nil,
        service: Reference? = nil, assignees: [String] = [], htmlURL: String? = nil,
        escalationPolicy: Reference? = nil, createdAt: String? = nil
    ) {
        self.id = id
        self.number = number
        self.title = title
        self.status = status
        self.urgency = urgency
        self.priority = priority
        self.service = service
        self.assignees = assignees
        self.htmlURL = htmlURL
        self.escalationPolicy = escalationPolicy
        self.createdAt = createdAt
    }

    /// The status as an ordered value; nil for a spelling we do not know.
    package var knownStatus: IncidentStatus? { IncidentStatus(rawValue: status) }
}

/// The life of an incident, in order: an incident never goes back except by a newer event
/// (see ``IncidentState``).
package enum IncidentStatus: String, Sendable, Codable, Comparable, CaseIterable {
    case triggered
    case acknowledged
    case resolved

    var rank: Int {
        switch self {
        case .triggered: 0
        case .acknowledged: 1
        case .resolved: 2
        }
    }

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}
