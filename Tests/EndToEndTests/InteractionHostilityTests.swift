import Foundation
import Hummingbird
import HummingbirdTesting
import Slack
import Testing

/// Bad clicks: clear refusals, nothing executed.
@Suite("hostile input at /slack/interactions")
struct InteractionHostilityTests {
    @Test(arguments: [
        "payload=%7Bnot-json", "payload=", "nothing=here", "payload=%5B1%2C2%5D",
        "payload=" + Harness.escape(#"{"type":"block_actions","user":{"id":"lowercase"},"actions":[{"action_id":"approval.approve","action_ts":"1"}]}"#),
        "payload=" + Harness.escape(#"{"type":"block_actions","user":{"id":"U01ALICE"},"actions":[]}"#),
        "payload=" + Harness.escape(#"{"type":"block_actions","user":{"id":"U01ALICE"},"actions":[{"action_id":"approval.approve","value":"\#(String(repeating: "a", count: 2100))","action_ts":"1"}]}"#),
    ])
    func brokenPayloadsAre400AndNothingIsStored(_ body: String) async throws {
        try await Harness.run { h in
            let response = try await h.post(body, path: "/slack/interactions")
            #expect(response.status == .badRequest)
            #expect(try await h.store.auditRecords().count == 0)
        }
    }

    @Test func unsignedClicksAre401() async throws {
        try await Harness.run { h in
            let response = try await h.post("payload=%7B%7D", path: "/slack/interactions", secret: "wrong")
            #expect(response.status == .unauthorized)
        }
    }

    @Test(arguments: [("approval.approve", "ffffffffffffffff"), ("approval.approve", "../../etc"), ("approval.approve", nil),
                      ("approval.nuke", "1"), ("pagerduty.resolve", "P123")] as [(String, String?)])
    func forgedOrUnknownButtonsAreRefused(_ actionID: String, _ value: String?) async throws {
        try await Harness.run { h in
            let response = try await h.click(actionID, value: value, as: "U02BOB", id: "forged")
            #expect(response.status == .ok)
            let reply = try #require(await h.sink.wait(for: "forged").first)
            #expect(reply.responseType == .ephemeral)
            #expect(reply.text.contains("nothing was done"))
            #expect(await h.kubernetes.requests.isEmpty)
        }
    }
}
