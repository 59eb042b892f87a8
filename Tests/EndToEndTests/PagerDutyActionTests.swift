import Foundation
import PagerDuty
import Slack
import Synchronization
import Testing
import TestSupport

/// Acknowledge/Resolve buttons and the `pd`, `emergency declare` commands against a fake PagerDuty that checks the
/// real headers (Authorization: Token token=…, the v2 Accept, From) and answers like PagerDuty (429, 400 errors).
@Suite("PagerDuty actions")
struct PagerDutyActionTests {
    static let token = "pd-test-token-7f3a9c"
    static let routingKey = "R0UTINGKEY0123456789abcdef"

    static func settings(_ url: String) -> [String: String] {
        ["PAGERDUTY_API_URL": url, "PAGERDUTY_EVENTS_URL": url, "PAGERDUTY_API_TOKEN": token, "PAGERDUTY_ROUTING_KEY": routingKey,
         "PAGERDUTY_SLACK_CHANNEL": "C0LOCAL"]
    }

    /// Runs the bot against a scripted fake PagerDuty.
    static func withFake(
        _ script: PagerDutyScript, slack: FakeSlackWebAPI? = nil,
        _ body: @escaping @Sendable (Harness, ScriptedHTTPServer.Log) async throws -> Void
    ) async throws {
        try await ScriptedHTTPServer.run({ seen in
            let (status, headers, text) = script.answer(method: seen.method, path: seen.path)
            return ScriptedResponse(status: status, headers: ["Content-Type": "application/json"].merging(headers) { _, new in new }, body: text)
        }) { url, log in
            try await Harness.run(redactorSecrets: [token, routingKey], slack: slack, settings: settings(url)) { h in try await body(h, log) }
        }
    }

    @Test func acknowledgeButtonPutsAsTheClickersIdentity() async throws {
        let script = PagerDutyScript(["PUT /incidents/PINC001": [(200, [:], PagerDutyScript.incident(status: "acknowledged"))]])
        let slack = FakeSlackWebAPI()
        try await Self.withFake(script, slack: slack) { h, log in
            try await h.pagerDuty(PagerDutySample.event("incident.triggered"))
            let posted = try #require(await slack.wait { $0.count >= 1 }.first)
            try await h.click("pagerduty.acknowledge", value: "PINC001", as: "U01ALICE", id: "ack1")
            var replies = await slack.calls
            for _ in 0..<500 where replies.count < 2 {
                try await Task.sleep(for: .milliseconds(20))
                replies = await slack.calls
            }
            let put = try #require(log.requests.first { $0.method == "PUT" })
            #expect(put.path == "/incidents/PINC001")
            #expect(put.headers["authorization"] == "Token token=\(Self.token)")
            #expect(put.headers["accept"] == "application/vnd.pagerduty+json;version=2")
            #expect(put.headers["content-type"] == "application/json")
            #expect(put.headers["from"] == "alice@example.com")
            #expect(put.body.contains(#""status":"acknowledged""#) && put.body.contains(#""type":"incident_reference""#))
            let thread = try #require(replies.last)
            #expect(thread.threadTS == posted.ts)
            #expect(thread.message.text.contains("<@U01ALICE> acknowledged #7"))
            let audit = try await h.store.auditRecords().filter { $0.kind == "pagerduty" && $0.user == "U01ALICE" }
            #expect(audit.map(\.outcome) == ["acknowledged"])
            #expect(try await h.store.auditRecords().allSatisfy { !"\($0)".contains(Self.token) })
        }
    }

    @Test func aUserWithoutIdentityIsToldHowToAddOne() async throws {
        let script = PagerDutyScript([:])
        try await Self.withFake(script) { h, log in
            try await h.click("pagerduty.acknowledge", value: "PINC001", as: "U02BOB", id: "noid")
            let reply = try #require(await h.sink.wait(for: "noid").first)
            #expect(reply.responseType == .ephemeral)
            #expect(reply.text.contains("`U02BOB: you@example.com`") && reply.text.contains("identities:"))
            #expect(log.requests.isEmpty)
        }
    }

    @Test func rateLimitIsRetriedThenAlreadyResolvedIsSaidPlainly() async throws {
        let script = PagerDutyScript(["PUT /incidents/PINC001": [
            (429, ["Retry-After": "0"], #"{"error":{"message":"Rate Limit Exceeded","code":2020}}"#),
            (200, [:], PagerDutyScript.incident(status: "resolved")),
            (400, [:], #"{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Incident Already Resolved"]}}"#),
        ]])
        try await Self.withFake(script) { h, log in
            try await h.click("pagerduty.resolve", value: "PINC001", as: "U01ALICE", id: "r1")
            let first = try #require(await h.sink.wait(for: "r1").first)
            #expect(first.text.contains("resolved #7"))
            #expect(log.requests.filter { $0.method == "PUT" }.count == 2)  // one 429, one retry
            try await h.click("pagerduty.resolve", value: "PINC001", as: "U01ALICE", id: "r2")
            let second = try #require(await h.sink.wait(for: "r2").first)
            #expect(second.responseType == .ephemeral)
            #expect(second.text.contains("Incident Already Resolved"))
        }
    }

    @Test func forbiddenIsReportedPlainly() async throws {
        let script = PagerDutyScript(["PUT /incidents/PINC001": [(403, [:], #"{"error":{"message":"Access Denied","code":2010}}"#)]])
        try await Self.withFake(script) { h, _ in
            try await h.click("pagerduty.acknowledge", value: "PINC001", as: "U01ALICE", id: "f1")
            let reply = try #require(await h.sink.wait(for: "f1").first)
            #expect(reply.text.contains("403") && reply.text.contains("Access Denied"))
        }
    }

    @Test func pdListAndPdAckWithoutIDPickTheOnlyTriggeredIncident() async throws {
        let list = #"{"incidents":[\#(PagerDutyScript.incident(status: "triggered").dropFirst(12).dropLast())],"more":false}"#
        let script = PagerDutyScript([
            "GET /incidents": [(200, [:], list)],
            "PUT /incidents/PINC001": [(200, [:], PagerDutyScript.incident(status: "acknowledged"))],
        ])
        try await Self.withFake(script) { h, log in
            let (_, listed) = try await h.say("pd list", as: "U03CAROL")  // a responder may list
            #expect(listed.first?.text.contains("Open PagerDuty incidents (1)") == true)
            #expect(listed.first?.text.contains("`PINC001`") == true)
            let (_, acked) = try await h.say("pd ack", as: "U01ALICE")
            #expect(acked.first?.text.contains("Acknowledged PagerDuty incident #7") == true)
            let put = try #require(log.requests.first { $0.method == "PUT" })
            #expect(put.headers["from"] == "alice@example.com")
            let (_, denied) = try await h.say("pd ack", as: "U03CAROL")  // responders may not
            #expect(denied.first?.responseType == .ephemeral)
            #expect(log.requests.filter { $0.method == "PUT" }.count == 1)
        }
    }

    @Test func emergencyDeclareSendsACriticalTriggerAndStoresTheDedupKey() async throws {
        let script = PagerDutyScript(["POST /v2/enqueue": [(202, [:], #"{"status":"success","message":"Event processed","dedup_key":"hybridbot-abc"}"#)]])
        try await Self.withFake(script) { h, log in
            let (_, replies) = try await h.say("emergency declare checkout is down for everyone", as: "U01ALICE")
            let text = try #require(replies.first?.text)
            #expect(text.contains("Emergency declared") && text.contains("hybridbot-abc"))
            #expect(!text.contains(Self.routingKey))
            let sent = try #require(log.requests.first { $0.path == "/v2/enqueue" })
            let json = try #require(try JSONSerialization.jsonObject(with: Data(sent.body.utf8)) as? [String: Any])
            #expect(json["routing_key"] as? String == Self.routingKey)
            #expect(json["event_action"] as? String == "trigger")
            #expect((json["payload"] as? [String: Any])?["severity"] as? String == "critical")
            #expect((json["payload"] as? [String: Any])?["summary"] as? String == "checkout is down for everyone")
            let record = try #require(try await h.store.auditRecords().first { $0.kind == "pagerduty" && $0.outcome == "declared" })
            #expect(record.detail["dedup_key"]?.stringValue == "hybridbot-abc")
        }
    }
}
