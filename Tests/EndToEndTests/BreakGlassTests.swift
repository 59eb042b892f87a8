import Foundation
import RedisDriver
import Slack
import TestSupport
import Testing

@Suite("break-glass")
struct BreakGlassTests {
    @Test func aCommanderMayBreakTheGlassLoudlyWithAReason() async throws {
        try await RedisTestServer.with { url in
            try await ApprovalEndToEndTests.seed(url, keys: 9)
            try await Harness.run(redisURL: url.description) { h in
                let (_, replies) = try await h.say("cache flush --break-glass \"redis OOM, checkout down\"", as: "U04DAVE", id: "bg")
                let all = await h.sink.wait(for: "bg", count: 2)
                #expect(replies.first?.responseType == .inChannel)
                #expect(all.contains { $0.text.contains("Break-glass") && $0.text.contains("redis OOM, checkout down") })
                #expect(all.contains { $0.text.contains("Flushed") })
                #expect(try await ApprovalEndToEndTests.dbsize(url) == 0)
                let records = try await h.store.auditRecords()
                let record = try #require(records.first { $0.kind == "break_glass" })
                #expect(record.user == "U04DAVE")
                #expect(record.detail["reason"]?.stringValue == "redis OOM, checkout down")
            }
        }
    }

    @Test func othersMustAskForAnApproval() async throws {
        try await RedisTestServer.with { url in
            try await ApprovalEndToEndTests.seed(url, keys: 4)
            try await Harness.run(redisURL: url.description) { h in
                let (_, replies) = try await h.say("break-glass cache flush -- I really want this now", as: "U01ALICE")
                let reply = try #require(replies.first)
                #expect(reply.responseType == .ephemeral)
                #expect(reply.text.contains("may not break the glass"))
                #expect(try await ApprovalEndToEndTests.dbsize(url) == 4)
            }
        }
    }

    @Test func aReasonIsMandatory() async throws {
        try await Harness.run { h in
            let (_, replies) = try await h.say("cache flush --break-glass", as: "U04DAVE")
            #expect(replies.first?.text.contains("needs a command and a reason") == true)
        }
    }
}
