/// Wire shapes of PagerDuty's REST API v2 (only the fields the bot shows).

struct RESTIncidentList: Decodable {
    var incidents: [RESTIncident]
    var more: Bool?
}

struct RESTIncidentEnvelope: Decodable {
    var incident: RESTIncident
}

struct RESTIncident: Decodable {
    struct Assignment: Decodable { var assignee: WireReference? }

    var id: String?
    var incidentNumber: Int?
    var title: String?
    var status: String?
    var urgency: String?
    var htmlURL: String?
    var createdAt: String?
    var service: WireReference?
    var assignments: [Assignment]?
    var escalationPolicy: WireReference?
    var priority: WireReference?

    enum CodingKeys: String, CodingKey {
        case id, title, status, urgency, service, assignments, priority
        case incidentNumber = "incident_number"
        case htmlURL = "html_url"
        case createdAt = "created_at"
        case escalationPolicy = "escalation_policy"
    }

    func incident() throws(PagerDutyError) -> Incident {
        guard let id, !id.isEmpty, let incidentNumber, let status else {
            throw .malformedResponse("an incident without id, incident_number or status")
        }
        return Incident(
            id: id, number: incidentNumber, title: title ?? "", status: status, urgency: urgency,
            priority: priority?.summary, service: service?.reference,
            assignees: (assignments ?? []).compactMap { $0.assignee?.summary ?? $0.assignee?.id }, htmlURL: htmlURL,
            escalationPolicy: escalationPolicy?.reference, createdAt: createdAt)
    }
}

struct RESTUpdateBody: Encodable {
    struct Reference: Encodable {
        var type: String
        var status: String
    }

    var incident: Reference
}

struct RESTErrorEnvelope: Decodable {
    struct Body: Decodable {
        var message: String?
        var code: Int?
        var errors: [String]?
    }

    var error: Body?
}
