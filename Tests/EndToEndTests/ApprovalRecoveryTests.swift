import BotCore
import Engine
import Foundation
import Logging
import RedisDriver
import Slack
import Store
import TestSupport
import Testing

/// What a restart, a re-processed command or a permissions change does to an approval.
@Suite("approval recovery")
struct ApprovalRecoveryTests {
    /// What the second run of a restart test gets: the same database, Redis, fake Slack, and the approval id.
    struct Restarted: Sendable {
        let directory: URL
        let redis: RedisURL
        let slack: FakeSlackWebAPI
        let approvalID: String
    }

    /// Seeds Redis, requests `cache flush` in a first run (then `afterRequest`), stops, and hands over to `then`,
    /// which starts the second run on the same SQLite file.
    static func acrossRestart(
        keys: Int, afterRequest: @Sendable (Harness, String) async throws -> Void = { _, _ in },
        then: @Sendable (Restarted) async throws -> Void
    ) async throws {
        try await RedisTestServer.with { url in
            try await ApprovalEndToEndTests.seed(url, keys: keys)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-recovery-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let slack = FakeSlackWebAPI()
            let box = IDBox()
            try await Harness.run(redisURL: url.description, slack: slack, databaseDirectory: directory) { h in
                box.id = try await ApprovalEndToEndTests.request(h, slack: slack)
                try await afterRequest(h, box.id)
            }
            try await then(Restarted(directory: directory, redis: url, slack: slack, approvalID: box.id))
        }
    }

    @Test func reprocessingTheSameCommandDoesNotCreateASecondRequest() async throws {
        try await RedisTestServer.with { url in
            try await Harness.run(redisURL: url.description) { h in
                let command = SlashCommand(
                    channelID: "C0LOCAL", userID: "U01ALICE", command: "/hybrid", text: "cache flush",
                    responseURL: h.responseURL("again"), triggerID: "trigger.again")
                let payload = String(decoding: try JSONEncoder().encode(command), as: UTF8.self)
                guard case .stored(let delivery) = try await h.store.storeDelivery(kind: "slack.command", key: "slack.trigger:trigger.again", payload: payload) else {
                    Issue.record("not stored"); return
                }
                // The process died after posting the request but before marking the delivery done: it runs again.
                await h.processor.process(delivery)
                await h.processor.process(delivery)
                let open = try await h.store.openApprovals()
                #expect(open.count == 1)
                #expect(open.first?.request.id == ApprovalRequest.id(forTrigger: "trigger.again"))
            }
        }
    }

    @Test func anApprovalCaughtVerifyingPastItsExpiryIsVoidNotRun() async throws {
        try await Self.acrossRestart(keys: 6, afterRequest: { h, id in
            // Bob's approval is recorded, then the process dies before the plan check.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            _ = try await h.store.transitionApproval(id: id, event: .approve(Requester(userID: "U02BOB"), at: now), policy: h.processor.policy) { _, _, _ in nil }
            #expect(try await h.store.approval(id: id)?.request.state == .verifying)
        }, then: { r in
            let clock = TestClock()
            clock.advance(by: .seconds(16 * 60))
            try await Harness.run(redisURL: r.redis.description, slack: r.slack, clock: clock, databaseDirectory: r.directory) { h in
                let interrupted = try await ApprovalSweeper.interruptedApprovals(in: h.store)
                #expect(interrupted == [r.approvalID])
                await ApprovalSweeper(flow: h.processor.approvals, interruptedAtStart: interrupted, logger: Logger(label: "t")).recoverAfterRestart()
                #expect(try await h.store.approval(id: r.approvalID)?.request.state == .voided)
                #expect(try await ApprovalEndToEndTests.dbsize(r.redis) == 6)
            }
        })
    }

    @Test func aRequesterWhoLostTheGrantGetsNothingRunByApprovals() async throws {
        try await Self.acrossRestart(keys: 8) { r in
            // After a restart, Alice is no longer an operator.
            let policy = PermissionPolicy(
                roles: ["operator": Role(name: "operator", users: ["U02BOB"]), "commander": Role(name: "commander", users: ["U04DAVE"])],
                grants: [Grant(roles: ["operator"], allow: [CommandGlob("cache *")])],
                approvals: [ApprovalRule(commands: [CommandGlob("cache flush")], approvers: ["operator", "commander"], required: 1, expiresAfter: .seconds(900))])
            try await Harness.run(policy: policy, redisURL: r.redis.description, slack: r.slack, databaseDirectory: r.directory) { h in
                try await h.click("approval.approve", value: r.approvalID, as: "U02BOB", id: "bob")
                _ = await r.slack.wait { $0.contains { $0.message.text.contains("permissions changed") } }
                #expect(try await h.store.approval(id: r.approvalID)?.request.state == .voided)
                #expect(try await ApprovalEndToEndTests.dbsize(r.redis) == 8)
            }
        }
    }

    @Test func userTextCannotPingTheChannel() async throws {
        try await RedisTestServer.with { url in
            try await Harness.run(redisURL: url.description) { h in
                _ = try await h.say("cache flush --break-glass \"<!channel> `approved by` <@U02BOB>\"", as: "U04DAVE", id: "ping")
                let all = await h.sink.wait(for: "ping", count: 2)
                let warning = try #require(all.first { $0.text.contains("Break-glass") })
                #expect(!warning.text.contains("<!channel>"))
                #expect(warning.text.contains("&lt;!channel&gt;"))
                #expect(!warning.text.contains("<@U02BOB>"))
            }
        }
    }
}
