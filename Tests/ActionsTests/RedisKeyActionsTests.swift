import Actions
import BotCore
import RedisDriver
import TestSupport
import Testing

/// Queue lengths, key counting and pattern deletion against a real redis-server.
@Suite struct RedisKeyActionsTests {
    @Test func queueLengthsAgainstTheThreshold() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            _ = try await client.checkedCommand(["RPUSH", "review_queue:high_priority"] + (0..<150).map(String.init))
            _ = try await client.checkedCommand(["RPUSH", "review_queue:low_priority", "a", "b"])
            _ = try await client.checkedCommand(["RPUSH", "feedback_queue", "x"])
            _ = try await client.checkedCommand(["SET", "review_queue:config", "not a list"])
            let target = RedisTarget(url: "redis://127.0.0.1:\(url.port)/0")
            let output = try await RedisQueues(target: target).run(
                ["keys": .list([.string("review_queue:high_priority"), .string("feedback_queue")]), "patterns": .list([.string("review_queue:*")]), "max": .int(100)],
                context: testContext())
            let rows = try #require(output.tables.first).rows
            #expect(rows.map { $0[1] } == ["review_queue:high_priority", "feedback_queue", "review_queue:config", "review_queue:low_priority"])
            #expect(rows[0][0] == "🔴" && rows[0][2] == "150")
            #expect(rows[1][0] == "🟢" && rows[1][2] == "1")
            #expect(rows[2][3].contains("not a queue"))
            #expect(output.summary.contains("1 at or over 100"))
            #expect(output.previewFacts.contains(PreviewFact(name: "review_queue:high_priority", value: .count(150, tolerance: 0.2))))
            await client.close()
        }
    }

    @Test func patternDeleteRemovesTenThousandKeysAndNothingElse() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            for batch in 0..<20 {
                var args = ["MSET"]
                for i in 0..<500 { args += ["guardrail:\(batch * 500 + i)", "v"] }
                _ = try await client.checkedCommand(args)
            }
            _ = try await client.checkedCommand(["MSET", "guardrails-config", "keep", "other:guardrail:1", "keep", "session:1", "keep"])
            let target = RedisTarget(url: "redis://127.0.0.1:\(url.port)/0")
            let count = try await RedisCountKeys(target: target).run(["pattern": .string("guardrail:*")], context: testContext())
            #expect(count.facts["keys"] == "10000")
            let deleted = try await RedisDeleteKeys(target: target).run(
                ["pattern": .string("guardrail:*"), "allowed_prefixes": .list([.string("guardrail:")])], context: testContext())
            #expect(deleted.facts["deleted"] == "10000")
            #expect(try await client.dbsize() == 3)
            #expect(try await client.command(["GET", "guardrails-config"]).string == "keep")
            await client.close()
        }
    }

    @Test func deletionOutsideTheAllowedPrefixesIsRefusedBeforeRedis() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            _ = try await client.checkedCommand(["MSET", "review_queue:a", "1", "session:1", "keep", "feedback_queue_x", "1"])
            let target = RedisTarget(url: "redis://127.0.0.1:\(url.port)/0")
            let action = RedisDeleteKeys(target: target)
            let allowed: ResolvedValue = .list([.string("review_queue:"), .string("feedback_queue")])
            for pattern in ["*", "*review_queue:*", "review_queue*", "[r]eview_queue:*", "session:*", "?eview_queue:a", ""] {
                await #expect(throws: ActionFailure.self, "\(pattern)") {
                    try await action.run(["pattern": .string(pattern), "allowed_prefixes": allowed], context: testContext())
                }
            }
            await #expect(throws: ActionFailure.self) { try await action.run(["pattern": .string("review_queue:*")], context: testContext()) }
            #expect(try await client.dbsize() == 3)
            let done = try await action.run(["pattern": .string("review_queue:*"), "allowed_prefixes": allowed], context: testContext())
            #expect(done.facts["deleted"] == "1")
            #expect(try await client.dbsize() == 2)
            await client.close()
        }
    }
}
