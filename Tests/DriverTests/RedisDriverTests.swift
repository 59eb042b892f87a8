import RedisDriver
import TestSupport
import Testing

/// Against a real `redis-server` started per test (see `Support/RedisTestServer.swift`).
@Suite struct RedisDriverTests {
    @Test func setAndGetAreBinarySafe() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            let stored = try await client.command(["SET", "victim", "still-here"])
            #expect(stored == .status("OK"))
            let values: [[UInt8]] = [
                Array("line1\r\nline2".utf8),
                Array("  spaced value  ".utf8),
                Array("*3\r\n$3\r\nDEL\r\n$6\r\nvictim\r\n".utf8),
                [0, 255, 13, 10, 0, 36],
                [],
            ]
            for (index, value) in values.enumerated() {
                let key = Array("key \(index)\r\nwith CRLF".utf8)
                #expect(try await client.command(bytes: [Array("SET".utf8), key, value]) == .status("OK"))
                #expect(try await client.command(bytes: [Array("GET".utf8), key]) == .bulk(value))
            }
            #expect(try await client.command(["GET", "victim"]).string == "still-here")
            #expect(try await client.dbsize() == values.count + 1)
            #expect(try await client.command(["GET", "missing"]) == .null)
            await client.close()
        }
    }

    @Test func serverErrorsAreRepliesForCommandButThrownByHelpers() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            let reply = try await client.command(["NOSUCHCOMMAND", "x"])
            guard case .error(let message) = reply else { Issue.record("expected an error reply"); return }
            #expect(message.hasPrefix("ERR unknown command"))
            _ = try await client.command(["SET", "text", "abc"])
            await #expect { try await client.llen("text") } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.isServerError && error.description.hasPrefix("Redis error: WRONGTYPE")
            }
            try await client.ping()  // the connection is still fine
            await client.close()
        }
    }

    @Test func dbsizeAndFlushdb() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            for index in 0..<25 { _ = try await client.command(["SET", "k\(index)", "v"]) }
            #expect(try await client.dbsize() == 25)
            try await client.flushdb()
            #expect(try await client.dbsize() == 0)
            await client.close()
        }
    }

    @Test func infoAndLlen() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            let stats = try await client.info("stats")
            #expect(stats["keyspace_hits"] != nil)
            #expect(stats.keys.allSatisfy { !$0.hasPrefix("#") })
            #expect(try await client.info()["redis_version"] != nil)
            #expect(try await client.command(["RPUSH", "queue", "a", "b", "c"]) == .integer(3))
            #expect(try await client.llen("queue") == 3)
            #expect(try await client.llen("no-such-list") == 0)
            await client.close()
        }
    }

    @Test func selectsTheDatabaseFromTheURL() async throws {
        try await RedisTestServer.with { url in
            var other = url
            other.database = 3
            let client3 = RedisClient(url: other)
            _ = try await client3.command(["SET", "only-in-3", "x"])
            #expect(try await client3.dbsize() == 1)
            let client0 = RedisClient(url: url)
            #expect(try await client0.dbsize() == 0)
            other.database = 999
            let bad = RedisClient(url: other)
            await #expect { try await bad.ping() } throws: { error in
                (error as? RedisError)?.description.contains("SELECT 999") == true
            }
            for client in [client0, client3, bad] { await client.close() }
        }
    }

    @Test func countsAndUnlinksMatchingKeysWithScan() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            for (prefix, total) in [("guardrail", 2_000), ("other", 500)] {
                for start in stride(from: 0, to: total, by: 250) {
                    let pairs = (start..<min(start + 250, total)).flatMap { ["\(prefix):\($0)", "value"] }
                    #expect(try await client.command(["MSET"] + pairs) == .status("OK"))
                }
            }
            #expect(try await client.dbsize() == 2_500)
            let page = try await client.scan(cursor: "0", match: "guardrail:*", count: 100)
            #expect(page.keys.allSatisfy { $0.hasPrefix("guardrail:") })
            #expect(try await client.countKeys(matching: "guardrail:*") == 2_000)
            #expect(try await client.countKeys(matching: "guardrail:*", maxKeys: 100) == 100)
            #expect(try await client.unlinkKeys(matching: "guardrail:*", batch: 300) == 2_000)
            #expect(try await client.countKeys(matching: "guardrail:*") == 0)
            #expect(try await client.countKeys(matching: "other:*") == 500)
            #expect(try await client.dbsize() == 500)
            #expect(try await client.unlinkKeys(matching: "guardrail:*") == 0)
            await client.close()
        }
    }

    @Test func hundredConcurrentCommandsOnOneClient() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            let replies = try await withThrowingTaskGroup(of: RedisReply.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        _ = try await client.command(["SET", "c:\(index)", "v\(index)"])
                        #expect(try await client.command(["GET", "c:\(index)"]).string == "v\(index)")
                        return try await client.command(["INCR", "counter"])
                    }
                }
                var collected: [RedisReply] = []
                for try await reply in group { collected.append(reply) }
                return collected
            }
            #expect(Set(replies.compactMap(\.int)) == Set(1...100))
            #expect(try await client.command(["GET", "counter"]).string == "100")
            await client.close()
        }
    }

    @Test func closedClientRejectsCommands() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            try await client.ping()
            await client.close()
            await client.close()
            await #expect { try await client.ping() } throws: { ($0 as? RedisError)?.isClosed == true }
        }
    }
}
