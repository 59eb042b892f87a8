/// REST API v2 bodies in PagerDuty's real shape (api-reference: List incidents, Update an incident).
enum RESTFixtures {
    static func incident(id: String = "PGR0VU2", number: Int = 2, status: String = "triggered", title: String = "API gateway p95 latency above 500 ms") -> String {
        """
        {"id":"\(id)","type":"incident","summary":"[#\(number)] \(title)","self":"https://api.pagerduty.com/incidents/\(id)",\
        "html_url":"https://acme.pagerduty.com/incidents/\(id)","incident_number":\(number),"title":"\(title)",\
        "created_at":"2024-05-01T12:00:00Z","updated_at":"2024-05-01T12:02:00Z","status":"\(status)",\
        "incident_key":"baf7cf21b1da41b4b0221008339ff357","urgency":"high",\
        "service":{"id":"PF9KMXH","type":"service_reference","summary":"Hybrid AI API","self":"https://api.pagerduty.com/services/PF9KMXH","html_url":"https://acme.pagerduty.com/service-directory/PF9KMXH"},\
        "assignments":[{"at":"2024-05-01T12:00:00Z","assignee":{"id":"PTUXL6G","type":"user_reference","summary":"Bob On-Call","self":"https://api.pagerduty.com/users/PTUXL6G","html_url":"https://acme.pagerduty.com/users/PTUXL6G"}}],\
        "escalation_policy":{"id":"PUS0KTE","type":"escalation_policy_reference","summary":"Hybrid AI on-call"},\
        "priority":{"id":"PSO75BM","type":"priority","summary":"P1"},"teams":[],"acknowledgements":[],"pending_actions":[]}
        """
    }

    static func list(_ incidents: [String], more: Bool, offset: Int = 0) -> String {
        #"{"incidents":[\#(incidents.joined(separator: ","))],"limit":100,"offset":\#(offset),"total":null,"more":\#(more)}"#
    }

    static func one(_ incident: String) -> String { #"{"incident":\#(incident)}"# }

    static let alreadyResolved = #"{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Incident Already Resolved"]}}"#
    static let unauthorized = #"{"error":{"message":"Authentication failed","code":2006}}"#
    static let forbidden = #"{"error":{"message":"Access Denied","code":2010,"errors":["The requester has no access to this incident"]}}"#
    static let rateLimited = #"{"error":{"message":"Rate Limit Exceeded","code":2020}}"#
}
