import BotCore
import Foundation
import RedisDriver
import Slack
import TestSupport
import Testing

/// Runbook commands of the shipped plugins end to end: fake gateway + Prometheus (exact JSON), real redis-server.
@Suite("runbook commands end to end")
struct RunbookCommandTests {
    static let apiKey = "gw-key-5f1c9a0e7d"

    /// A gateway with one degraded component and a Prometheus whose queue depth is over its threshold.
    static func platform(_ request: SeenRequest) -> ScriptedResponse {
        switch request.path {
        case "/v1/system/health", "/v1/system/health/components":
            guard request.headers["authorization"] == "Bearer \(apiKey)" else { return .json(#"{"detail":"Invalid API key"}"#, status: 401) }
            return request.path.hasSuffix("components")
                ? .json(#"{"status":"degraded","components":{"database":"healthy","earnings-analyzer":{"status":"degraded"}}}"#)
                : .json(#"{"status":"healthy"}"#)
        case "/api/v1/query":
            let query = request.query["query"] ?? ""
            let value = query.contains("quantile") ? "0.231" : query.contains("hybrid_queue_depth") ? "140" : query.contains("up{") ? "0.999" : query.contains("http_requests_total") ? "0.002" : "0.2"
            return .json(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1764100000,"\#(value)"]}]}}"#)
        default:
            return .json("{}", status: 404)
        }
    }

    @Test func statusShowsHealthComponentsAndIndicatorsGreenAndRed() async throws {
        try await ScriptedHTTPServer.run(Self.platform) { base, log in
            let settings = ["HYBRID_API_URL": base, "HYBRID_API_KEY": Self.apiKey, "PROMETHEUS_URL": base]
            try await Harness.run(redactorSecrets: [Self.apiKey], settings: settings) { h in
                let (_, replies) = try await h.say("status", as: "U09EVE", id: "status")
                let reply = try #require(replies.first)
                let text = reply.text
                #expect(text.contains("🟢 *Gateway health*: HTTP 200"))
                #expect(text.contains("🔴 *Gateway components*"))
                #expect(text.contains("earnings-analyzer"))
                #expect(text.contains("🟢 *Response time p95*: 231 ms (healthy below 500 ms)"))
                #expect(text.contains("🔴 *Queue depth*: 140 (healthy below 100)"))
                #expect(text.contains("🟢 *Model availability*: 99.9 %"))
                #expect(text.contains("Key indicators (Prometheus): *1 red*"))
                #expect(!text.contains(Self.apiKey))
                // Block Kit carries the same text, split into sections within Slack's limits.
                let blocks = try #require(reply.blocks)
                #expect(blocks.allSatisfy { ($0.text?.text.count ?? 0) <= 3000 })
                let blockText = blocks.compactMap { $0.text?.text }.joined()
                #expect(blockText.contains("Queue depth"))
                #expect(log.requests.filter { $0.path == "/api/v1/query" }.count == 6)
            }
        }
    }

    @Test func statusWithABadKeySaysSoAndStillShowsTheIndicators() async throws {
        try await ScriptedHTTPServer.run(Self.platform) { base, _ in
            let settings = ["HYBRID_API_URL": base, "HYBRID_API_KEY": "not-the-key", "PROMETHEUS_URL": base]
            try await Harness.run(redactorSecrets: ["not-the-key"], settings: settings) { h in
                let (_, replies) = try await h.say("status", as: "U09EVE")
                let text = try #require(replies.first?.text)
                #expect(text.contains("🔴 *Gateway health*: HTTP 401 Unauthorized — check HYBRID_API_KEY"))
                #expect(text.contains("*Response time p95*"))
                #expect(!text.contains("not-the-key"))
            }
        }
    }

    @Test func reviewQueuesAndAQueueClearThroughApprovalWithVerification() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            _ = try await client.checkedCommand(["RPUSH", "review_queue:high_priority"] + (1...130).map(String.init))
            _ = try await client.checkedCommand(["RPUSH", "review_queue:normal", "a", "b"])
            _ = try await client.checkedCommand(["RPUSH", "feedback_queue", "f"])
            let slack = FakeSlackWebAPI()
            try await Harness.run(redisURL: url.description, slack: slack) { h in
                let (_, queues) = try await h.say("review queues", as: "U01ALICE", id: "queues")
                let text = try #require(queues.first?.text)
                #expect(text.contains("🔴  review_queue:high_priority  130"))
                #expect(text.contains("1 at or over 100"))

                // Injection through the queue argument never reaches Redis.
                let (_, refused) = try await h.say("review queue clear *", as: "U01ALICE", id: "star")
                #expect(refused.first?.text.contains("queue") == true)
                #expect(try await client.dbsize() == 3)

                // The request goes to chat.postMessage (bot token), so nothing comes back on the response_url to wait for.
                _ = try await h.post(h.commandForm(user: "U01ALICE", text: "review queue clear review_queue:*", id: "ask"))
                let calls = await slack.wait { $0.contains { $0.method == "chat.postMessage" && !$0.message.buttons.isEmpty } }
                let request = try #require(calls.first { !$0.message.buttons.isEmpty })
                let preview = request.message.blocks?.compactMap { $0.text?.text }.joined(separator: "\n") ?? ""
                #expect(preview.contains("review_queue:high_priority"))
                #expect(preview.contains("130"))
                #expect(try await client.dbsize() == 3)
                let approve = try #require(request.message.buttons.first { $0.hasPrefix("approval.approve:") })
                try await h.click("approval.approve", value: String(approve.dropFirst("approval.approve:".count)), as: "U02BOB", id: "bob")
                let done = await slack.wait { $0.contains { $0.message.text.contains("Verification") } }
                #expect(try await client.dbsize() == 1)
                #expect(try await client.llen("feedback_queue") == 1)
                let result = try #require(done.first { $0.message.text.contains("Deleted 2 keys") })
                #expect(result.threadTS == request.ts)
                let verification = try #require(done.first { $0.message.text.contains("Verification") })
                #expect(verification.threadTS == request.ts)
                #expect(verification.message.text.contains("`total` 132 → 0"))
            }
            await client.close()
        }
    }
}

@Suite("help lists the runbooks")
struct HelpListsEverythingTests {
    /// The incident commander may run everything: help names every shipped command with its one-line summary.
    @Test func helpListsEveryShippedCommandWithItsSummary() async throws {
        try await Harness.run { h in
            let (_, replies) = try await h.say("help", as: "U04DAVE", id: "help-all")
            let text = replies.map(\.text).joined(separator: "\n")
            let commands = h.processor.router.table.commands
            #expect(commands.count >= 40)
            for spec in commands {
                #expect(text.contains(SlackText.escaped(spec.summary)), "\(spec.path)")
            }
        }
    }
}
