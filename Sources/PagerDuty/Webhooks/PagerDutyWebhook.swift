import BotCore
import Foundation

/// Parses v3 webhook bodies: `{"event": {"id", "event_type", "resource_type", "occurred_at", "agent", "data": {…}}}`.
///
/// Call only after ``PagerDutySignature/verify(body:header:secrets:)`` accepted the raw bytes.
package enum PagerDutyWebhook {
    package enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The body is not a JSON object of the expected shape (a field of the wrong type included).
        case notJSON
        /// A field PagerDuty always sends is missing or empty, e.g. `event.occurred_at`, `data.title`.
        case missingField(String)
        /// `occurred_at` is not an RFC 3339 time.
        case badTimestamp(String)

        package var description: String {
            switch self {
            case .notJSON: "PagerDuty webhook body is not a JSON v3 event envelope"
            case .missingField(let name): "PagerDuty webhook lacks \(name)"
            case .badTimestamp(let value): "PagerDuty webhook has an unreadable occurred_at: \(value.prefix(40))"
            }
        }
    }

    package static func parse(_ body: [UInt8]) throws(ParseError) -> WebhookEvent {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(body))
        } catch {
            throw .notJSON
        }
        guard let event = envelope.event else { throw .missingField("event") }
        let id = try required(event.id, "event.id")
        let typeName = try required(event.eventType, "event.event_type")
        let occurredAt = try required(event.occurredAt, "event.occurred_at")
        guard let date = RFC3339.parse(occurredAt) else { throw .badTimestamp(occurredAt) }
        let type = WebhookEvent.EventType(wireName: typeName)

        var incident: Incident?
        var incidentID: String?
        var note: String?
        if let data = event.data {
            if data.type == "incident" {
                incident = try data.incident()
            } else {
                incidentID = data.incidentRef?.id
                note = data.content
            }
        } else if typeName.hasPrefix("incident.") {
            throw .missingField("event.data")
        }
        return WebhookEvent(
            id: id, type: type, occurredAt: occurredAt, occurredDate: date, agent: event.agent?.summary,
            incident: incident, incidentID: incidentID, note: note)
    }

    static func required(_ value: String?, _ name: String) throws(ParseError) -> String {
        guard let value, !value.isEmpty else { throw .missingField(name) }
        return value
    }
}

// MARK: - Wire shape

private struct Envelope: Decodable {
    var event: WireEvent?
}

private struct WireEvent: Decodable {
    var id: String?
    var eventType: String?
    var resourceType: String?
    var occurredAt: String?
    var agent: WireReference?
    var data: WireData?

    enum CodingKeys: String, CodingKey {
        case id, agent, data
        case eventType = "event_type"
        case resourceType = "resource_type"
        case occurredAt = "occurred_at"
    }
}

/// `{id, summary, type, self, html_url}`; only what we show is kept.
struct WireReference: Decodable {
    var id: String?
    var summary: String?

    var reference: Incident.Reference? {
        guard let id else { return nil }
        return Incident.Reference(id: id, summary: summary ?? id)
    }
}

private struct WireData: Decodable {
    var id: String?
    var type: String?
    var number: Int?
    var title: String?
    var status: String?
    var urgency: String?
    var htmlURL: String?
    var createdAt: String?
    var service: WireReference?
    var assignees: [WireReference]?
    var escalationPolicy: WireReference?
    var priority: WireReference?
    /// Set on non-incident data about an incident (annotations, responder requests).
    var incidentRef: WireReference?
    var content: String?

    enum CodingKeys: String, CodingKey {
        case id, type, number, title, status, urgency, service, assignees, priority, content
        case htmlURL = "html_url"
        case createdAt = "created_at"
        case escalationPolicy = "escalation_policy"
        case incidentRef = "incident"
    }

    func incident() throws(PagerDutyWebhook.ParseError) -> Incident {
        let id = try PagerDutyWebhook.required(id, "data.id")
        guard let number else { throw .missingField("data.number") }
        let title = try PagerDutyWebhook.required(title, "data.title")
        let status = try PagerDutyWebhook.required(status, "data.status")
        return Incident(
            id: id, number: number, title: title, status: status, urgency: urgency,
            priority: priority?.summary, service: service?.reference,
            assignees: (assignees ?? []).compactMap { $0.summary ?? $0.id }, htmlURL: htmlURL,
            escalationPolicy: escalationPolicy?.reference, createdAt: createdAt)
    }
}
