import Foundation
import HummingbirdTesting
import PagerDuty
import Testing

/// `POST /pagerduty/webhooks`: signature over the raw body against every secret, size and shape checks, durable
/// storage before the 2xx, dedupe on X-Webhook-Id, and the incident message updated in place, never backwards.
@Suite("PagerDuty webhooks")
struct PagerDutyWebhookTests {
    static let channel = ["PAGERDUTY_SLACK_CHANNEL": "C0INCIDENT"]

    enum Signing: Sendable {
        case good, badSecret, rotated, whitespace, missing, tampered, wrongScheme
    }

    @Test(arguments: [
        (Signing.good, 202), (.badSecret, 401), (.rotated, 202), (.whitespace, 202), (.missing, 401), (.tampered, 401), (.wrongScheme, 401),
    ])
    func signatureIsCheckedOverTheRawBody(_ signing: Signing, _ expected: Int) async throws {
        // Two secrets configured (a rotation in progress): the old one and the new one both verify.
        let settings = ["PAGERDUTY_WEBHOOK_SECRETS": "old-secret-000111, \(Harness.pagerDutySecret)"]
        try await Harness.run(settings: settings) { h in
            let body = PagerDutySample.event("incident.triggered")
            let bytes = Array(body.utf8)
            let good = PagerDutySignature.sign(body: bytes, secret: Harness.pagerDutySecret)
            let response: TestResponse
            switch signing {
            case .good: response = try await h.pagerDuty(body)
            case .badSecret: response = try await h.pagerDuty(body, secret: "not-the-secret")
            case .rotated:
                let old = PagerDutySignature.sign(body: bytes, secret: "old-secret-000111")
                response = try await h.pagerDuty(body, signature: .some("v1=\(String(repeating: "0", count: 64)),\(old)"))
            case .whitespace: response = try await h.pagerDuty(body, signature: .some("  v1=00ff , \(good)  "))
            case .missing: response = try await h.pagerDuty(body, signature: .some(nil))
            case .tampered: response = try await h.pagerDuty(body.replacingOccurrences(of: "api-gateway", with: "api-gatewaz"), signature: .some(good))
            case .wrongScheme: response = try await h.pagerDuty(body, signature: .some(good.replacingOccurrences(of: "v1=", with: "v0=")))
            }
            #expect(response.status.code == expected)
            try await h.settle()
            let kinds = try await h.auditKinds()
            if expected == 401 {
                #expect(kinds.isEmpty, "a rejected webhook leaves nothing in the audit")
                let pending = try await h.store.pendingDeliveries()
                #expect(pending.isEmpty)
            } else {
                #expect(kinds == ["pagerduty", "pagerduty"])  // received, then applied by the core
            }
        }
    }

    @Test func hugeNonJSONUnknownAndPingBodies() async throws {
        try await Harness.run(settings: Self.channel) { h in
            let huge = #"{"event":{"pad":""# + String(repeating: "x", count: 300 * 1024) + #""}}"#
            let tooLarge = try await h.pagerDuty(huge)
            #expect(tooLarge.status == .contentTooLarge)
            let notJSON = try await h.pagerDuty("this is not json")
            #expect(notJSON.status == .badRequest)
            let incomplete = try await h.pagerDuty(#"{"event":{"id":"E1","event_type":"incident.triggered"}}"#)
            #expect(incomplete.status == .badRequest)
            let unknown = #"{"event":{"id":"E2","event_type":"service.updated","resource_type":"service","occurred_at":"2025-01-15T09:00:00Z","agent":null,"data":{"id":"PSVC1","type":"service","name":"x"}}}"#
            let ignored = try await h.pagerDuty(unknown)
            #expect(ignored.status == .accepted)
            let ping = try await h.pagerDuty(PagerDutySample.ping)
            #expect(ping.status == .ok)
            try await h.settle()
            let incidents = try await h.store.incidents()
            #expect(incidents.isEmpty)
            #expect(try await h.auditKinds() == ["pagerduty"])  // the unknown event, stored and ignored
        }
    }

    @Test func noSecretsConfiguredIs503() async throws {
        try await Harness.run(settings: ["PAGERDUTY_WEBHOOK_SECRETS": ""]) { h in
            let refused = try await h.pagerDuty(PagerDutySample.event("incident.triggered"))
            #expect(refused.status == .serviceUnavailable)
            #expect(try await h.auditKinds().isEmpty)
        }
    }

    @Test func sameWebhookIDThreeTimesIsOneSlackPost() async throws {
        let slack = FakeSlackWebAPI()
        try await Harness.run(slack: slack, settings: Self.channel) { h in
            let body = PagerDutySample.event("incident.triggered")
            let statuses = [
                try await h.pagerDuty(body, webhookID: "WH-1").status.code,
                try await h.pagerDuty(body, webhookID: "WH-1").status.code,
                try await h.pagerDuty(body, webhookID: "WH-1").status.code,
            ]
            #expect(statuses == [202, 200, 200])
            try await h.settle()
            let calls = await slack.wait { $0.count >= 1 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(calls.count == 1)
            let later = await slack.calls
            #expect(later.count == 1)
            #expect(try await h.auditKinds().filter { $0 == "pagerduty" }.count == 2)  // received + applied, once
        }
    }

    @Test func triggeredIsPostedWithButtonsAndLaterEventsUpdateItInPlaceNeverBackwards() async throws {
        let slack = FakeSlackWebAPI()
        try await Harness.run(slack: slack, settings: Self.channel) { h in
            let start = Date().addingTimeInterval(-600)
            try await h.pagerDuty(PagerDutySample.event("incident.triggered", at: start))
            let posted = try #require(await slack.wait { $0.count >= 1 }.first)
            #expect(posted.method == "chat.postMessage" && posted.channel == "C0INCIDENT")
            #expect(posted.message.buttons == ["pagerduty.acknowledge:PINC001", "pagerduty.resolve:PINC001"])
            for part in ["#7", "High response time on api-gateway", "*Urgency:* high", "*Priority:* P1", "*Service:* Hybrid AI API",
                         "*Assigned:* Alice", "https://example.pagerduty.com/incidents/PINC001", "`/hybrid latency check`"] {
                #expect(posted.message.text.contains(part), "\(part)")
            }
            try await h.settle()
            let row = try #require(try await h.store.incident(id: "PINC001"))
            #expect(row.messageTS == posted.ts)

            // Resolved arrives before the (older) acknowledged: the message goes to Resolved and stays there.
            try await h.pagerDuty(PagerDutySample.event("incident.resolved", at: start.addingTimeInterval(300), agent: "Bob"))
            try await h.settle()
            try await h.pagerDuty(PagerDutySample.event("incident.acknowledged", at: start.addingTimeInterval(60), agent: "Alice"))
            try await h.settle()
            let calls = await slack.wait { $0.count >= 2 }
            let updates = calls.filter { $0.method == "chat.update" }
            #expect(updates.count == 1)
            #expect(updates.allSatisfy { $0.ts == posted.ts })
            let last = try #require(updates.last)
            #expect(last.message.text.contains("Resolved") && last.message.text.contains("by Bob"))
            #expect(last.message.buttons.isEmpty)
            let stored = try #require(try await h.store.incident(id: "PINC001"))
            #expect(stored.resolvedAt != nil)
            #expect(stored.state.contains("\"resolved\""))
        }
    }

    @Test func reassignmentRedrawsAndAcknowledgedKeepsOnlyResolve() async throws {
        let slack = FakeSlackWebAPI()
        try await Harness.run(slack: slack, settings: Self.channel) { h in
            let start = Date().addingTimeInterval(-600)
            try await h.pagerDuty(PagerDutySample.event("incident.triggered", at: start))
            _ = await slack.wait { $0.count >= 1 }
            try await h.pagerDuty(PagerDutySample.event("incident.acknowledged", at: start.addingTimeInterval(60), agent: "Alice"))
            try await h.settle()
            try await h.pagerDuty(PagerDutySample.event("incident.reassigned", status: "acknowledged", at: start.addingTimeInterval(120), assignees: ["Carol"]))
            try await h.settle()
            let updates = await slack.wait { $0.filter { $0.method == "chat.update" }.count >= 2 }.filter { $0.method == "chat.update" }
            #expect(updates.count == 2)
            #expect(updates.first?.message.buttons == ["pagerduty.resolve:PINC001"])
            #expect(updates.last?.message.text.contains("*Assigned:* Carol") == true)
            #expect(updates.last?.message.text.contains("Acknowledged") == true)
        }
    }
}
