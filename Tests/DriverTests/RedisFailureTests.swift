import RedisDriver
import TestSupport
import Testing

/// Connection failures, timeouts, authentication and reconnects against real sockets/servers.
@Suite struct RedisFailureTests {
    @Test func closedPortIsConnectionRefused() async throws {
        let port = try RedisTestServer.freePort()
        let client = RedisClient(url: RedisURL(host: "127.0.0.1", port: port), timeout: .seconds(2))
        await #expect { try await client.ping() } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.isConnectionRefused
                && error.description == "Redis at 127.0.0.1:\(port) refused the connection"
        }
        await client.close()
    }

    @Test func silentServerIsTimeout() async throws {
        let listener = try RedisTestSocket(listen: true)
        defer { listener.close() }
        let client = RedisClient(url: RedisURL(host: "127.0.0.1", port: listener.port), timeout: .milliseconds(300))
        let clock = ContinuousClock()
        let started = clock.now
        await #expect { try await client.ping() } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.isTimeout
                && error.description == "Redis at 127.0.0.1:\(listener.port) did not answer within 300ms"
        }
        let elapsed = clock.now - started
        #expect(elapsed >= .milliseconds(250))
        // Generous upper bound: what matters is that a silent server does not hang us. This test starts with hundreds
        // of others, and resuming after the timeout once took 5.3 s on a loaded 2-core CI machine.
        #expect(elapsed < .seconds(15))
        await client.close()
    }

    @Test func wrongPasswordIsAuthenticationWithoutLeakingIt() async throws {
        try await RedisTestServer.with(password: "correct horse") { url in
            var wrong = url
            wrong.password = "wrong-secret-XYZ"
            let client = RedisClient(url: wrong)
            await #expect { try await client.ping() } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.isAuthentication
                    && error.description == "Redis rejected the password (check REDIS_URL)"
                    && !error.description.contains("wrong-secret-XYZ")
            }
            await client.close()

            var none = url
            none.password = nil
            let anonymous = RedisClient(url: none)
            await #expect { try await anonymous.dbsize() } throws: { ($0 as? RedisError)?.isAuthentication == true }
            await anonymous.close()
        }
    }

    @Test func correctPasswordWorksAlsoWithUsername() async throws {
        try await RedisTestServer.with(password: "correct horse") { url in
            let client = RedisClient(url: url)
            try await client.ping()
            _ = try await client.command(["SET", "a", "1"])
            #expect(try await client.dbsize() == 1)
            await client.close()

            var withUser = url
            withUser.username = "default"
            let acl = RedisClient(url: withUser)
            #expect(try await acl.dbsize() == 1)
            await acl.close()
        }
    }

    @Test func serverEchoOfThePasswordIsRedacted() async throws {
        let password = "echo-me-s3cret"
        try await RedisTestServer.with(password: password) { url in
            let client = RedisClient(url: url)
            // Redis quotes an unknown command's name in its error reply.
            let reply = try await client.command([password, "arg"])
            guard case .error(let message) = reply else { Issue.record("expected an error reply"); return }
            #expect(message.contains("***"))
            #expect(!message.contains(password))
            await #expect { try await client.checkedCommand([password]) } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.isServerError && !error.description.contains(password)
            }
            await client.close()
        }
    }

    @Test func reconnectsAfterServerRestart() async throws {
        try await RedisTestServer.withServer { server in
            let client = RedisClient(url: server.url, timeout: .seconds(2))
            _ = try await client.command(["SET", "before", "1"])
            try await server.restart()
            try await client.ping()  // same client, new connection
            #expect(try await client.dbsize() == 0)  // a fresh server (no persistence)
            _ = try await client.command(["SET", "after", "1"])
            #expect(try await client.command(["GET", "after"]).string == "1")

            // Server gone: refused, and the client recovers once it is back.
            await server.stop()
            await #expect { try await client.ping() } throws: { ($0 as? RedisError)?.isConnectionRefused == true }
            await client.close()
        }
    }

    @Test func reconnectsWhenTheServerDropsTheConnection() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            let admin = RedisClient(url: url)
            let id = try #require(try await client.command(["CLIENT", "ID"]).int)
            #expect(try await admin.command(["CLIENT", "KILL", "ID", String(id)]) == .integer(1))
            for _ in 0..<3 { try await client.ping() }
            #expect(try await client.command(["INCR", "n"]) == .integer(1))
            for each in [client, admin] { await each.close() }
        }
    }

    /// The connection breaks after a command that changes data was sent (killed while BLPOP blocks): the server
    /// may already have run it, so the client reports the failure and never sends it a second time.
    @Test func neverResendsACommandThatChangesDataWhenTheConnectionBreaksMidCommand() async throws {
        try await RedisTestServer.with { url in
            let client = RedisClient(url: url)
            let admin = RedisClient(url: url)
            let oldID = try #require(try await client.command(["CLIENT", "ID"]).int)
            let popped = Task { try await client.command(["BLPOP", "queue", "5"]) }
            try await Self.waitForBlockedClient(admin, where: { $0 == oldID })
            #expect(try await admin.command(["CLIENT", "KILL", "ID", String(oldID)]) == .integer(1))
            await #expect(throws: RedisError.self) { try await popped.value }
            _ = try await admin.command(["RPUSH", "queue", "item"])
            // Nobody popped it: BLPOP was not re-sent on a new connection.
            #expect(try await admin.llen("queue") == 1)
            // The client itself works again on the next command.
            #expect(try await client.command(["PING"]) == .status("PONG"))
            for each in [client, admin] { await each.close() }
        }
    }

    private static func waitForBlockedClient(_ admin: RedisClient, where matches: (Int) -> Bool) async throws {
        for _ in 0..<200 {
            let list = try await admin.command(["CLIENT", "LIST"]).string ?? ""
            for line in list.split(separator: "\n") where line.contains("cmd=blpop") {
                let id = line.split(separator: " ").first { $0.hasPrefix("id=") }.flatMap { Int($0.dropFirst(3)) }
                if let id, matches(id) { return }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no client blocked in BLPOP")
    }
}
