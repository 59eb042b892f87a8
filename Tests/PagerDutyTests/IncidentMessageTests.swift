import Testing
@testable import PagerDuty

@Suite struct IncidentMessageTests {
    static let incident = Incident(
        id: "PGR0VU2", number: 2, title: "p95 <500 ms> & rising", status: "triggered", urgency: "high", priority: "P1",
        service: .init(id: "PF9KMXH", summary: "Hybrid AI API"), assignees: ["Bob On-Call", "Carol Backup"],
        htmlURL: "https://acme.pagerduty.com/incidents/PGR0VU2")

    @Test func triggeredMessageCarriesEveryField() {
        let text = IncidentMessage.text(for: Self.incident, status: .triggered, suggestion: "latency check")
        #expect(text.contains("*Triggered*"))
        #expect(text.contains("<https://acme.pagerduty.com/incidents/PGR0VU2|#2>"))
        #expect(text.contains("p95 &lt;500 ms&gt; &amp; rising"))
        #expect(text.contains("*Urgency:* high"))
        #expect(text.contains("*Priority:* P1"))
        #expect(text.contains("*Service:* Hybrid AI API"))
        #expect(text.contains("*Assigned:* Bob On-Call, Carol Backup"))
        #expect(text.contains("`/hybrid latency check`"))
    }

    @Test func resolvedMessageDropsSuggestionAndButtons() {
        let text = IncidentMessage.text(for: Self.incident, status: .resolved, suggestion: "latency check", by: "Bob On-Call")
        #expect(text.contains("*Resolved* by Bob On-Call"))
        #expect(!text.contains("/hybrid"))
        #expect(IncidentMessage.actionIDs(for: .resolved).isEmpty)
        #expect(IncidentMessage.actionIDs(for: .acknowledged) == ["pagerduty.resolve"])
        #expect(IncidentMessage.actionIDs(for: .triggered) == ["pagerduty.acknowledge", "pagerduty.resolve"])
    }
}

@Suite struct IncidentListTests {
    @Test func listsOpenIncidentsOnePerLine() {
        var second = IncidentMessageTests.incident
        second.id = "PQ2"
        second.number = 3
        second.status = "acknowledged"
        second.title = "DB connections"
        let text = IncidentMessage.list([IncidentMessageTests.incident, second])
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == "*Open PagerDuty incidents (2):*")
        #expect(lines[1].contains("[triggered]") && lines[1].hasSuffix("`PGR0VU2`"))
        #expect(lines[2].contains("[acknowledged] DB connections (Hybrid AI API, high) — Bob On-Call, Carol Backup"))
        #expect(IncidentMessage.list([]) == "No open PagerDuty incidents.")
    }
}
