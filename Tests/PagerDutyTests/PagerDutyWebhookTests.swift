import Foundation
import Testing
@testable import PagerDuty

@Suite struct PagerDutyWebhookTests {
    static func parse(_ text: String) throws(PagerDutyWebhook.ParseError) -> WebhookEvent {
        try PagerDutyWebhook.parse(Array(text.utf8))
    }

    @Test func triggeredIncidentIsParsedWithEveryField() throws {
        let event = try Self.parse(WebhookFixtures.incident(eventType: "incident.triggered"))
        #expect(event.id == "01DEN4HPBQAAAG05V5QQYBRZMF")
        #expect(event.type == .triggered)
        #expect(event.occurredAt == "2024-05-01T12:00:00.169Z")
        #expect(abs(event.occurredDate.timeIntervalSince1970 - 1_714_564_800.169) < 0.0005)
        #expect(event.agent == "Alice Example")
        #expect(event.incidentID == "PGR0VU2")
        let incident = try #require(event.incident)
        #expect(incident.id == "PGR0VU2")
        #expect(incident.number == 2)
        #expect(incident.title == "API gateway p95 latency above 500 ms")
        #expect(incident.status == "triggered")
        #expect(incident.knownStatus == .triggered)
        #expect(incident.urgency == "high")
        #expect(incident.priority == "P1")
        #expect(incident.service == Incident.Reference(id: "PF9KMXH", summary: "Hybrid AI API"))
        #expect(incident.assignees == ["Bob On-Call", "Carol Backup"])
        #expect(incident.htmlURL == "https://acme.pagerduty.com/incidents/PGR0VU2")
        #expect(incident.escalationPolicy == Incident.Reference(id: "PUS0KTE", summary: "Hybrid AI on-call"))
        #expect(incident.createdAt == "2024-05-01T12:00:00Z")
    }

    @Test func nullPriorityIsNil() throws {
        let event = try Self.parse(WebhookFixtures.incident(eventType: "incident.acknowledged", status: "acknowledged", priority: "null"))
        #expect(event.type == .acknowledged)
        #expect(event.incident?.priority == nil)
        #expect(event.incident?.knownStatus == .acknowledged)
    }

    @Test(arguments: [
        ("incident.triggered", WebhookEvent.EventType.triggered),
        ("incident.acknowledged", .acknowledged),
        ("incident.unacknowledged", .unacknowledged),
        ("incident.resolved", .resolved),
        ("incident.reopened", .reopened),
        ("incident.escalated", .escalated),
        ("incident.reassigned", .reassigned),
        ("incident.priority_updated", .priorityUpdated),
        ("incident.annotated", .annotated),
        ("pagey.ping", .ping),
        ("incident.responder.added", .other("incident.responder.added")),
    ] as [(String, WebhookEvent.EventType)])
    func eventTypesMapBothWays(_ wire: String, type: WebhookEvent.EventType) {
        #expect(WebhookEvent.EventType(wireName: wire) == type)
        #expect(type.wireName == wire)
    }

    @Test func pingHasNoIncident() throws {
        let event = try Self.parse(WebhookFixtures.ping)
        #expect(event.type == .ping)
        #expect(event.incident == nil)
        #expect(event.incidentID == nil)
        #expect(event.agent == nil)
    }

    @Test func annotationNamesItsIncidentAndNote() throws {
        let event = try Self.parse(WebhookFixtures.annotated)
        #expect(event.type == .annotated)
        #expect(event.incident == nil)
        #expect(event.incidentID == "PGR0VU2")
        #expect(event.note == "Scaled api-gateway to 10.")
    }

    @Test func unknownTypeIsOther() throws {
        let event = try Self.parse(WebhookFixtures.serviceCreated)
        #expect(event.type == .other("service.created"))
        #expect(event.incident == nil)
    }

    @Test(arguments: [
        ("not JSON", "hello", PagerDutyWebhook.ParseError.notJSON),
        ("empty body", "", .notJSON),
        ("JSON array", "[1,2]", .notJSON),
        ("truncated", String(WebhookFixtures.incident(eventType: "incident.triggered").prefix(200)), .notJSON),
        ("number as string", WebhookFixtures.incident(eventType: "incident.triggered").replacingOccurrences(of: "\"number\": 2", with: "\"number\": \"2\""), .notJSON),
        ("no event", #"{"messages":[]}"#, .missingField("event")),
        ("no id", #"{"event":{"event_type":"pagey.ping","occurred_at":"2024-05-01T12:00:00Z"}}"#, .missingField("event.id")),
        ("no type", #"{"event":{"id":"x","occurred_at":"2024-05-01T12:00:00Z"}}"#, .missingField("event.event_type")),
        ("no time", #"{"event":{"id":"x","event_type":"pagey.ping"}}"#, .missingField("event.occurred_at")),
        ("bad time", #"{"event":{"id":"x","event_type":"pagey.ping","occurred_at":"yesterday"}}"#, .badTimestamp("yesterday")),
        ("incident without data", #"{"event":{"id":"x","event_type":"incident.resolved","occurred_at":"2024-05-01T12:00:00Z"}}"#, .missingField("event.data")),
        ("incident without title", #"{"event":{"id":"x","event_type":"incident.resolved","occurred_at":"2024-05-01T12:00:00Z","data":{"id":"P1","type":"incident","number":1,"status":"resolved"}}}"#, .missingField("data.title")),
        ("incident without number", #"{"event":{"id":"x","event_type":"incident.resolved","occurred_at":"2024-05-01T12:00:00Z","data":{"id":"P1","type":"incident","title":"t","status":"resolved"}}}"#, .missingField("data.number")),
    ])
    func brokenBodiesAreTypedErrors(_ label: String, body: String, expected: PagerDutyWebhook.ParseError) {
        #expect(throws: expected, "\(label)") { try Self.parse(body) }
    }

    @Test func errorDescriptionsAreShort() {
        let long = String(repeating: "x", count: 500)
        #expect(PagerDutyWebhook.ParseError.badTimestamp(long).description.count < 120)
    }
}
