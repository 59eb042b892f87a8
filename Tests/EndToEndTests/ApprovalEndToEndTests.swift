import BotCore
import Foundation
import Hummingbird
import HummingbirdTesting
import RedisDriver
import Slack
import Store
import TestSupport
import Synchronization
import Testing

/// `cache flush` through the whole approval flow: real redis-server, fake Slack Web API, signed clicks.
@Suite("approvals end to end")
struct ApprovalEndToEndTests {
    static func seed(_ url: RedisURL, keys: Int) async throws {
        let client = RedisClient(url: url)
        for i in 0..<keys { _ = try await client.command(["SET", "cache:\(i)", "v"]) }
        await client.close()
    }

    static func dbsize(_ url: RedisURL) async throws -> Int {
        let client = RedisClient(url: url)
        defer { Task { await client.close() } }
        return try await client.dbsize()
    }

    /// Requests `cache flush` as Alice and returns the approval id from the posted message's buttons.
    static func request(_ h: Harness, slack: FakeSlackWebAPI) async throws -> String {
        let (ack, _) = try await h.say("cache flush", as: "U01ALICE", id: "ask-\(UUID().uuidString)")
        #expect(ack.status == .ok)
        let calls = await slack.wait { $0.contains { $0.method == "chat.postMessage" && !$0.message.buttons.isEmpty } }
        let posted = try #require(calls.last { $0.method == "chat.postMessage" && !$0.message.buttons.isEmpty })
        let approve = try #require(posted.message.buttons.first { $0.hasPrefix("approval.approve:") })
        return String(approve.dropFirst("approval.approve:".count))
    }

    @Test func secondOperatorApprovesAndFlushRunsOnce() async throws {
        try await RedisTestServer.with { url in
            try await Self.seed(url, keys: 40)
            let slack = FakeSlackWebAPI()
            try await Harness.run(redisURL: url.description, slack: slack) { h in
                let id = try await Self.request(h, slack: slack)
                let posted = try #require(await slack.calls.first { $0.method == "chat.postMessage" })
                #expect(posted.channel == "C0LOCAL")
                let blocksText = posted.message.blocks?.compactMap { $0.text?.text }.joined(separator: "\n") ?? ""
                #expect(blocksText.contains("*40* keys"))
                #expect(posted.message.text.contains("1 approval from operator/commander"))
                let buttons = try #require(posted.message.blocks?.last?.elements)
                guard case .button(let approve) = buttons[0], case .button(let deny) = buttons[1] else {
                    Issue.record("no buttons"); return
                }
                #expect(approve.style == "primary" && approve.confirm != nil && approve.value == id)
                #expect(deny.style == "danger" && deny.value == id)
                #expect(try await Self.dbsize(url) == 40)  // nothing ran yet

                // The requester cannot approve.
                try await h.click("approval.approve", value: id, as: "U01ALICE", id: "self")
                #expect(await h.sink.wait(for: "self").first?.text.contains("cannot approve your own") == true)
                #expect(try await Self.dbsize(url) == 40)

                // Someone outside the approver roles cannot either.
                try await h.click("approval.approve", value: id, as: "U09EVE", id: "eve")
                #expect(await h.sink.wait(for: "eve").first?.text.contains("may decide this request") == true)

                // A second operator approves: FLUSHDB runs.
                let ts = String(format: "%.6f", Date().timeIntervalSince1970)
                try await h.click("approval.approve", value: id, as: "U02BOB", id: "bob", actionTS: ts)
                let done = await slack.wait { $0.contains { $0.threadTS == posted.ts && $0.message.text.contains("Flushed") } }
                #expect(done.contains { $0.method == "chat.update" && $0.message.text.contains("Approved and done") })
                #expect(try await Self.dbsize(url) == 0)

                // Double click (Slack retry of the same click) and a second click: still once.
                try await Self.seed(url, keys: 5)
                try await h.click("approval.approve", value: id, as: "U02BOB", id: "bob-retry", actionTS: ts)
                try await h.click("approval.approve", value: id, as: "U04DAVE", id: "dave")
                #expect(await h.sink.wait(for: "dave").first?.text.contains("already executed") == true)
                #expect(try await Self.dbsize(url) == 5)
                let records = try await h.store.auditRecords()
                #expect(records.filter { $0.kind == "action" && $0.outcome == "ok" }.count == 1)
                #expect(records.contains { $0.kind == "approval_requested" })
                #expect(records.contains { $0.kind == "approved" && $0.user == "U02BOB" })
                #expect(try await h.store.verifyAudit() == .intact(records: records.count))
            }
        }
    }

    @Test func aDenyEndsItAndNothingRuns() async throws {
        try await RedisTestServer.with { url in
            try await Self.seed(url, keys: 3)
            let slack = FakeSlackWebAPI()
            try await Harness.run(redisURL: url.description, slack: slack) { h in
                let id = try await Self.request(h, slack: slack)
                try await h.click("approval.deny", value: id, as: "U04DAVE", id: "deny")
                _ = await slack.wait { $0.contains { $0.method == "chat.update" && $0.message.text.contains("Denied") } }
                try await h.click("approval.approve", value: id, as: "U02BOB", id: "late")
                #expect(await h.sink.wait(for: "late").first?.text.contains("already denied") == true)
                #expect(try await Self.dbsize(url) == 3)
            }
        }
    }

    @Test func anApprovalAfterExpiryIsRefused() async throws {
        try await RedisTestServer.with { url in
            try await Self.seed(url, keys: 3)
            let slack = FakeSlackWebAPI()
            let clock = TestClock()
            try await Harness.run(redisURL: url.description, slack: slack, clock: clock) { h in
                let id = try await Self.request(h, slack: slack)
                clock.advance(by: .seconds(16 * 60))
                try await h.click("approval.approve", value: id, as: "U02BOB", id: "too-late")
                #expect(await h.sink.wait(for: "too-late").first?.text.contains("expired") == true)
                #expect(try await Self.dbsize(url) == 3)
                let approval = try #require(try await h.store.approval(id: id))
                #expect(approval.request.state == .expired)
            }
        }
    }

    @Test func theSweeperExpiresUnansweredRequests() async throws {
        try await RedisTestServer.with { url in
            let slack = FakeSlackWebAPI()
            let clock = TestClock()
            try await Harness.run(redisURL: url.description, slack: slack, clock: clock) { h in
                let id = try await Self.request(h, slack: slack)
                await h.sweeper.sweep()
                #expect(try await h.store.approval(id: id)?.request.state == .pending)
                clock.advance(by: .seconds(16 * 60))
                await h.sweeper.sweep()
                #expect(try await h.store.approval(id: id)?.request.state == .expired)
                let calls = await slack.wait { $0.contains { $0.message.text.contains("expired before") } }
                #expect(calls.contains { $0.message.text.contains("expired before") })
            }
        }
    }

    @Test func aChangedPreviewVoidsTheApprovalAndAsksAgain() async throws {
        try await RedisTestServer.with { url in
            try await Self.seed(url, keys: 10)
            let slack = FakeSlackWebAPI()
            try await Harness.run(redisURL: url.description, slack: slack) { h in
                let id = try await Self.request(h, slack: slack)
                try await Self.seed(url, keys: 60)  // 10 → 60 keys: far beyond the 10 % tolerance
                try await h.click("approval.approve", value: id, as: "U02BOB", id: "bob")
                let calls = await slack.wait { calls in calls.filter { $0.method == "chat.postMessage" && !$0.message.buttons.isEmpty }.count >= 2 }
                #expect(try await h.store.approval(id: id)?.request.state == .voided)
                #expect(calls.contains { $0.message.text.contains("plan changed") && $0.message.text.contains("keys 10 → 60") })
                let again = try #require(calls.last { $0.method == "chat.postMessage" && !$0.message.buttons.isEmpty })
                #expect(!again.message.buttons.contains("approval.approve:\(id)"))
                #expect(try await Self.dbsize(url) == 60)
            }
        }
    }

    @Test func aRestartBetweenRequestAndApprovalStillWorks() async throws {
        try await ApprovalRecoveryTests.acrossRestart(keys: 7) { r in
            try await Harness.run(redisURL: r.redis.description, slack: r.slack, databaseDirectory: r.directory) { h in
                try await h.click("approval.approve", value: r.approvalID, as: "U02BOB", id: "after-restart")
                _ = await r.slack.wait { $0.contains { $0.message.text.contains("Flushed") } }
                #expect(try await Self.dbsize(r.redis) == 0)
            }
        }
    }

    @Test func slackRateLimitsAreWaitedOut() async throws {
        try await RedisTestServer.with { url in
            let slack = FakeSlackWebAPI()
            await slack.rateLimit(next: 1)
            try await Harness.run(redisURL: url.description, slack: slack) { h in
                let id = try await Self.request(h, slack: slack)
                #expect(!id.isEmpty)
            }
        }
    }

    @Test func aSlackAPIErrorFallsBackToResponseURL() async throws {
        try await RedisTestServer.with { url in
            let slack = FakeSlackWebAPI()
            await slack.fail(next: "not_in_channel")
            try await Harness.run(redisURL: url.description, slack: slack) { h in
                let (_, replies) = try await h.say("cache flush", as: "U01ALICE", id: "fallback")
                let message = try #require(replies.first)
                #expect(message.responseType == .inChannel)
                #expect(message.buttons.contains { $0.hasPrefix("approval.approve:") })
                #expect(await slack.calls.isEmpty)
            }
        }
    }

    @Test func withoutABotTokenTheRequestGoesThroughResponseURL() async throws {
        try await RedisTestServer.with { url in
            try await Self.seed(url, keys: 2)
            try await Harness.run(redisURL: url.description) { h in
                let (_, replies) = try await h.say("cache flush", as: "U01ALICE", id: "plain")
                let message = try #require(replies.first)
                #expect(message.responseType == .inChannel)
                let approve = try #require(message.buttons.first { $0.hasPrefix("approval.approve:") })
                try await h.click("approval.approve", value: String(approve.dropFirst("approval.approve:".count)), as: "U02BOB", id: "click")
                let updates = await h.sink.wait(for: "click") { $0.text.contains("Flushed") || $0.blocks?.contains { $0.text?.text.contains("Flushed") == true } == true }
                #expect(updates.contains { $0.replaceOriginal == true && $0.text.contains("Approved") })
                #expect(try await Self.dbsize(url) == 0)
            }
        }
    }

    @Test func redisDownMeansNoApprovalRequestAndAClearAnswer() async throws {
        try await Harness.run(redisURL: "redis://127.0.0.1:1/0") { h in
            let (_, replies) = try await h.say("cache flush", as: "U01ALICE")
            let text = try #require(replies.first?.text)
            #expect(text.contains("Could not measure the preview"))
            #expect(text.contains("refused the connection"))
            #expect(try await h.store.openApprovals().isEmpty)
        }
    }
}

/// Carries the approval id from the first run of a restart test to the second.
final class IDBox: Sendable {
    private let storage = Mutex("")
    var id: String {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
