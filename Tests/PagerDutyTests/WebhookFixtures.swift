/// v3 webhook bodies in PagerDuty's real shape (developer docs, "Webhooks v3 – event data").
enum WebhookFixtures {
    static func incident(
        eventType: String, eventID: String = "01DEN4HPBQAAAG05V5QQYBRZMF", occurredAt: String = "2024-05-01T12:00:00.169Z",
        status: String = "triggered", agent: String = "Alice Example", priority: String = #"{"html_url":"https://acme.pagerduty.com/account/incident_priorities","id":"PSO75BM","self":"https://api.pagerduty.com/priorities/PSO75BM","summary":"P1","type":"priority_reference"}"#
    ) -> String {
        """
        {
          "event": {
            "id": "\(eventID)",
            "event_type": "\(eventType)",
            "resource_type": "incident",
            "occurred_at": "\(occurredAt)",
            "agent": {
              "html_url": "https://acme.pagerduty.com/users/PLH1HKV",
              "id": "PLH1HKV",
              "self": "https://api.pagerduty.com/users/PLH1HKV",
              "summary": "\(agent)",
              "type": "user_reference"
            },
            "client": { "name": "PagerDuty" },
            "data": {
              "id": "PGR0VU2",
              "type": "incident",
              "self": "https://api.pagerduty.com/incidents/PGR0VU2",
              "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2",
              "number": 2,
              "status": "\(status)",
              "incident_key": "d3640fbd41094207a1c11e58e46b1662",
              "created_at": "2024-05-01T12:00:00Z",
              "title": "API gateway p95 latency above 500 ms",
              "service": {
                "html_url": "https://acme.pagerduty.com/services/PF9KMXH",
                "id": "PF9KMXH",
                "self": "https://api.pagerduty.com/services/PF9KMXH",
                "summary": "Hybrid AI API",
                "type": "service_reference"
              },
              "assignees": [
                {
                  "html_url": "https://acme.pagerduty.com/users/PTUXL6G",
                  "id": "PTUXL6G",
                  "self": "https://api.pagerduty.com/users/PTUXL6G",
                  "summary": "Bob On-Call",
                  "type": "user_reference"
                },
                {
                  "html_url": "https://acme.pagerduty.com/users/PTUXL6H",
                  "id": "PTUXL6H",
                  "self": "https://api.pagerduty.com/users/PTUXL6H",
                  "summary": "Carol Backup",
                  "type": "user_reference"
                }
              ],
              "escalation_policy": {
                "html_url": "https://acme.pagerduty.com/escalation_policies/PUS0KTE",
                "id": "PUS0KTE",
                "self": "https://api.pagerduty.com/escalation_policies/PUS0KTE",
                "summary": "Hybrid AI on-call",
                "type": "escalation_policy_reference"
              },
              "teams": [],
              "priority": \(priority),
              "urgency": "high",
              "conference_bridge": null,
              "resolve_reason": null
            }
          }
        }
        """
    }

    static let ping = """
        {"event":{"id":"01BX1W8UNXD81RVWZ4ES3BA8ER","event_type":"pagey.ping","resource_type":"pagey",\
        "occurred_at":"2024-05-01T11:59:00.000Z","agent":null,"client":null,\
        "data":{"message":"Hello from your friend Pagey!","type":"ping"}}}
        """

    static let annotated = """
        {"event":{"id":"01DA2MLYN0J5EFC1LKWXUKDDKT","event_type":"incident.annotated","resource_type":"incident",\
        "occurred_at":"2024-05-01T12:05:00.000Z",\
        "agent":{"id":"PLH1HKV","summary":"Alice Example","type":"user_reference"},"client":null,\
        "data":{"incident":{"html_url":"https://acme.pagerduty.com/incidents/PGR0VU2","id":"PGR0VU2",\
        "self":"https://api.pagerduty.com/incidents/PGR0VU2","summary":"API gateway p95 latency above 500 ms",\
        "type":"incident_reference"},"id":"P7X2VZD","content":"Scaled api-gateway to 10.","trimmed":false,"type":"incident_note"}}}
        """

    static let serviceCreated = """
        {"event":{"id":"01C0R3YAVMBHBQRE9ZQJ1W9QCW","event_type":"service.created","resource_type":"service",\
        "occurred_at":"2024-05-01T12:06:00.000Z","agent":null,"client":null,\
        "data":{"id":"PF9KMXH","type":"service","summary":"New service"}}}
        """
}
