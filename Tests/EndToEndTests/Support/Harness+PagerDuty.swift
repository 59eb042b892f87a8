import BotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PagerDuty
import Synchronization

/// v3 webhook bodies as PagerDuty sends them (fields of protocols.md), for one scripted incident.
enum PagerDutySample {
    static func event(
        _ type: String, id: String = UUID().uuidString, incident: String = "PINC001", number: Int = 7, status: String? = nil,
        at: Date = Date(), agent: String? = nil, title: String = "High response time on api-gateway", assignees: [String] = ["Alice"]
    ) -> String {
        let status = status ?? (type == "incident.acknowledged" ? "acknowledged" : type == "incident.resolved" ? "resolved" : "triggered")
        let agentJSON = agent.map { #"{"id":"PUSR9","summary":"\#($0)","type":"user_reference"}"# } ?? "null"
        let people = assignees.map { #"{"id":"PU\#($0.count)","summary":"\#($0)","type":"user_reference"}"# }.joined(separator: ",")
        return #"{"event":{"id":"\#(id)","event_type":"\#(type)","resource_type":"incident","occurred_at":"\#(RFC3339.format(at))","#
            + #""agent":\#(agentJSON),"client":null,"data":{"id":"\#(incident)","type":"incident","number":\#(number),"#
            + #""title":"\#(title)","status":"\#(status)","urgency":"high","html_url":"https://example.pagerduty.com/incidents/\#(incident)","#
            + #""service":{"id":"PSVC1","summary":"Hybrid AI API","type":"service_reference"},"assignees":[\#(people)],"#
            + #""escalation_policy":{"id":"PPOL1","summary":"On-call","type":"escalation_policy_reference"},"#
            + #""priority":{"id":"PPRI1","summary":"P1","type":"priority"}}}}"#
    }

    static let ping = #"{"event":{"id":"01PING","event_type":"pagey.ping","resource_type":"pagey","occurred_at":"2025-01-15T09:00:00Z","agent":null,"client":null,"data":{"message":"Hello from your friend Pagey!","type":"ping"}}}"#
}

extension Harness {
    /// POSTs a webhook signed with `secret` (as PagerDuty does), or with the given signature header (nil: none).
    @discardableResult
    func pagerDuty(
        _ body: String, webhookID: String? = UUID().uuidString, secret: String = Harness.pagerDutySecret, signature: String?? = .none
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        let signed: String? = switch signature {
        case .none: PagerDutySignature.sign(body: Array(body.utf8), secret: secret)
        case .some(let given): given
        }
        if let signed { headers[HTTPField.Name("X-PagerDuty-Signature")!] = signed }
        if let webhookID { headers[HTTPField.Name("X-Webhook-Id")!] = webhookID }
        return try await client.execute(uri: "/pagerduty/webhooks", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// Waits until the core processed every stored delivery (webhooks are processed after the 2xx).
    func settle(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while try await !store.pendingDeliveries().isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Scripted answers per "METHOD /path" (FIFO, the last repeats), for a fake PagerDuty on `ScriptedHTTPServer`.
final class PagerDutyScript: Sendable {
    private let replies: Mutex<[String: [(Int, [String: String], String)]]>

    init(_ script: [String: [(Int, [String: String], String)]]) { replies = Mutex(script) }

    func answer(method: String, path: String) -> (Int, [String: String], String) {
        replies.withLock { all in
            let key = "\(method) \(path)"
            guard var list = all[key], !list.isEmpty else { return (404, [:], #"{"error":{"message":"Not Found","code":2100}}"#) }
            let first = list.removeFirst()
            all[key] = list.isEmpty ? [first] : list
            return first
        }
    }

    static func incident(_ id: String = "PINC001", number: Int = 7, status: String) -> String {
        #"{"incident":{"id":"\#(id)","type":"incident","incident_number":\#(number),"title":"High response time on api-gateway","status":"\#(status)","urgency":"high","html_url":"https://example.pagerduty.com/incidents/\#(id)","service":{"id":"PSVC1","summary":"Hybrid AI API"}}}"#
    }
}
