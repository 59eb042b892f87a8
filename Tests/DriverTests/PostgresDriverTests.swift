import Foundation
@testable import PostgresDriver
import TestSupport
import Testing

/// Against a real PostgreSQL 15 started once for the suite (see `TestSupport/PostgresTestServer.swift`).
@Suite(.postgresServer) struct PostgresDriverTests {
    private func url() throws -> PostgresURL { try PostgresURL(parsing: PostgresTestServer.shared().url) }

    @Test func rowsAreTypedByColumnType() async throws {
        let client = PostgresClient(url: try url())
        let result = try await client.query("""
            SELECT 1::int2 AS small, 2::int4 AS regular, 9000000000::int8 AS big, 1.5::float8 AS wide, 2.5::float4 AS narrow,
                   true AS yes, false AS no, NULL::int AS nothing, 12.50::numeric AS money, 'x y'::text AS words,
                   '1 day'::interval AS span, 'pg_class'::name AS ident, ARRAY[1,2] AS list
            """)
        await client.close()
        #expect(result.commandTag == "SELECT 1")
        #expect(result.columns.first == "small" && result.columns.count == 13)
        let row = try #require(result.rows.first)
        #expect(row["small"] == .int(1))
        #expect(row["regular"] == .int(2))
        #expect(row["big"] == .int(9_000_000_000))
        #expect(row["wide"] == .double(1.5))
        #expect(row["narrow"] == .double(2.5))
        #expect(row["yes"] == .bool(true))
        #expect(row["no"] == .bool(false))
        #expect(row["nothing"] == .null)
        #expect(row["money"] == .text("12.50"))
        #expect(row["words"] == .text("x y"))
        #expect(row["span"] == .text("1 day"))
        #expect(row["ident"] == .text("pg_class"))
        #expect(row["list"] == .text("{1,2}"))
        #expect(row["no such column"] == .null)
        #expect(row.values.count == 13)
    }

    @Test func parametersAreBoundAndStoredVerbatim() async throws {
        let client = PostgresClient(url: try url())
        let hostile: [String?] = [
            "'; DROP TABLE bound_values; --", "Robert'); DELETE FROM bound_values;--", "$1", "\\x00\\", "\"quoted\"",
            "line1\nline2\ttab", "ünïcødé 🐘", "", nil,
        ]
        _ = try await client.query("CREATE TABLE bound_values (id int PRIMARY KEY, value text)")
        for (index, value) in hostile.enumerated() {
            let inserted = try await client.query("INSERT INTO bound_values VALUES ($1, $2)", [String(index), value])
            #expect(inserted.commandTag == "INSERT 0 1")
        }
        let rows = try await client.query("SELECT id, value FROM bound_values ORDER BY id").rows
        #expect(rows.count == hostile.count)
        for (index, value) in hostile.enumerated() {
            #expect(rows[index]["id"] == .int(Int64(index)))
            #expect(rows[index]["value"] == (value.map(PostgresValue.text) ?? .null))
        }
        let same = try await client.query("SELECT count(*) AS n FROM bound_values WHERE value = $1", [hostile[0]])
        #expect(same.rows.first?["n"] == .int(1))
        await #expect { try await client.query("SELECT $1::text", ["nul\u{0}byte"]) } throws: { error in
            (error as? PostgresError)?.description.contains("NUL") == true
        }
        await #expect { try await client.query("SELECT * FROM no_such_table") } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.sqlState == "42P01" && error.isServerError && !error.isConnectionFailure
        }
        _ = try await client.query("DROP TABLE bound_values")
        await client.close()
    }

    @Test func statementTimeoutCancelsAndTheSessionStaysUsable() async throws {
        let client = PostgresClient(url: try url(), poolSize: 1, statementTimeout: .milliseconds(300))
        let started = ContinuousClock.now
        await #expect { try await client.query("SELECT pg_sleep(5)") } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.isTimeout && error.sqlState == "57014"
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        let setting = try await client.query("SHOW statement_timeout").rows.first?["statement_timeout"]
        #expect(setting == .text("300ms"))
        // A longer timeout for one statement (CREATE INDEX CONCURRENTLY), then back to the default.
        let slow = try await client.query("SELECT true AS done FROM pg_sleep(0.5)", statementTimeout: .seconds(3))
        #expect(slow.rows.first?["done"] == .bool(true))
        let after = try await client.query("SHOW statement_timeout").rows.first?["statement_timeout"]
        #expect(after == .text("300ms"))
        await client.close()
    }

    @Test func serverDownIsAConnectionFailureWithoutThePassword() async throws {
        let port = try RedisTestServer.freePort()
        let client = PostgresClient(url: try PostgresURL(parsing: "postgresql://bot:hunter2@127.0.0.1:\(port)/hybrid_ai"),
                                    connectTimeout: .seconds(2))
        let started = ContinuousClock.now
        await #expect { try await client.query("SELECT 1") } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.isConnectionFailure && !error.isTimeout && error.description.contains("127.0.0.1:\(port)")
                && !error.description.contains("hunter2")
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        await client.close()
    }

    @Test func silentServerTimesOutWithinTheConnectTimeout() async throws {
        let silent = try RedisTestSocket(listen: true)  // accepts TCP connections, never answers
        defer { silent.close() }
        let client = PostgresClient(url: try PostgresURL(parsing: "postgresql://bot:hunter2@127.0.0.1:\(silent.port)/db"),
                                    connectTimeout: .milliseconds(700))
        let started = ContinuousClock.now
        await #expect { try await client.serverVersion() } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.isTimeout && error.isConnectionFailure && !error.description.contains("hunter2")
                && error.description.contains("within 700ms")
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(650) && elapsed < .seconds(5))  // without the timeout libpq waits forever
        await client.close()
    }

    @Test func aServerThatStopsAnsweringMidStatementIsGivenUpOn() async throws {
        let client = PostgresClient(url: try url(), poolSize: 1, statementTimeout: .milliseconds(300))
        let pid = try #require(try await client.query("SELECT pg_backend_pid() AS pid").rows.first?["pid"].int)
        // A frozen backend cannot run its statement_timeout: only the client's own deadline ends the wait.
        kill(pid_t(pid), SIGSTOP)
        let started = ContinuousClock.now
        await #expect { try await client.query("SELECT 1") } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.isTimeout && error.sqlState == nil && error.description.contains("did not answer within 1.3s")
        }
        let elapsed = ContinuousClock.now - started
        kill(pid_t(pid), SIGCONT)
        #expect(elapsed >= .seconds(1.2) && elapsed < .seconds(5))
        let fresh = try #require(try await client.query("SELECT pg_backend_pid() AS pid").rows.first?["pid"].int)
        #expect(fresh != pid)
        await client.close()
    }

    @Test func applicationNameIsVisibleAndOwnPIDsAreKnown() async throws {
        let name = "driver-test-\(UUID().uuidString.prefix(8))"
        let client = PostgresClient(url: try url(), applicationName: name)
        let row = try #require(try await client.query("""
            SELECT application_name, pid = pg_backend_pid() AS mine FROM pg_stat_activity WHERE application_name = $1
            """, [name]).rows.first)
        #expect(row["mine"] == .bool(true))
        let pid = try await client.query("SELECT pg_backend_pid() AS pid").rows.first?["pid"].int
        let pids = await client.backendPIDs()
        #expect(pids.map(Int64.init) == [try #require(pid)])
        let defaultName = PostgresClient(url: try url())
        let shown = try await defaultName.query("SELECT current_setting('application_name') AS name").rows.first?["name"]
        #expect(shown == .text("hybridbot"))
        await defaultName.close()
        await client.close()
        #expect(await client.backendPIDs().isEmpty)
    }

    @Test func serverVersionAndSimpleQuery() async throws {
        let client = PostgresClient(url: try url())
        let version = try await client.serverVersion()
        #expect((150_000..<160_000).contains(version))
        let shown = try await client.simpleQuery("SHOW server_version_num")
        #expect(shown.rows.first?["server_version_num"] == .text(String(version)))
        let last = try await client.simpleQuery("SELECT 1 AS one; SELECT 2 AS two")
        #expect(last.rows.first?["two"] == .int(2))
        await client.close()
    }

    @Test func reconnectsAfterItsSessionIsTerminated() async throws {
        let client = PostgresClient(url: try url(), poolSize: 1)
        let admin = PostgresClient(url: try url(), poolSize: 1, applicationName: "driver-test-admin")
        let first = try #require(try await client.query("SELECT pg_backend_pid() AS pid").rows.first?["pid"].int)
        let killed = try await admin.query("SELECT pg_terminate_backend($1::int4) AS ok", [String(first)])
        #expect(killed.rows.first?["ok"] == .bool(true))
        try await waitUntilGone(first, admin: admin)
        let second = try #require(try await client.query("SELECT pg_backend_pid() AS pid").rows.first?["pid"].int)
        #expect(second != first)
        #expect(await client.backendPIDs() == [Int32(second)])
        await client.close()
        await admin.close()
    }

    @Test func aWriteCutOffMidStatementIsNotSentAgainButAReadIs() async throws {
        let client = PostgresClient(url: try url(), poolSize: 1)
        let admin = PostgresClient(url: try url(), poolSize: 1, applicationName: "driver-test-admin")
        _ = try await client.query("CREATE TABLE cut_off (n int)")

        let writer = Task { try await client.query("INSERT INTO cut_off SELECT 1 FROM pg_sleep(1.5)") }
        try await terminateWhenActive(client, admin: admin, matching: "INSERT INTO cut_off%")
        await #expect { try await writer.value } throws: { ($0 as? PostgresError)?.isConnectionFailure == true }
        let count = try await admin.query("SELECT count(*) AS n FROM cut_off").rows.first?["n"]
        #expect(count == .int(0))

        _ = try await client.query("SELECT 1")  // a reused session: only then is a read sent again
        let reader = Task { try await client.query("SELECT 42 AS answer FROM pg_sleep(0.5)") }
        try await terminateWhenActive(client, admin: admin, matching: "SELECT 42 AS answer%")
        let answer = try await reader.value.rows.first?["answer"]
        #expect(answer == .int(42))
        _ = try await admin.query("DROP TABLE cut_off")
        await client.close()
        await admin.close()
    }

    @Test func poolRunsStatementsSideBySideAndQueuesTheRest() async throws {
        let client = PostgresClient(url: try url(), poolSize: 2)
        let started = ContinuousClock.now
        let pids = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for _ in 0..<4 {
                group.addTask { try await client.query("SELECT pg_backend_pid() AS pid FROM pg_sleep(1)").rows.first?["pid"].int }
            }
            var seen: [Int64?] = []
            for try await pid in group { seen.append(pid) }
            return seen
        }
        let elapsed = ContinuousClock.now - started
        #expect(Set(pids.compactMap { $0 }).count == 2)
        // Two at a time: 2 s. One at a time would be 4 s, four at once 1 s; the margin is for a loaded machine.
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(3.5))
        #expect(await client.backendPIDs().count == 2)
        await client.close()
        await client.close()
        await #expect { try await client.query("SELECT 1") } throws: { ($0 as? PostgresError)?.isClosed == true }
    }

    // MARK: - Helpers

    private func waitUntilGone(_ pid: Int64, admin: PostgresClient) async throws {
        for _ in 0..<200 {
            let rows = try await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1::int4", [String(pid)]).rows
            if rows.isEmpty { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("backend \(pid) still alive after 2s")
    }

    /// Waits until the client's only session runs a statement like `pattern`, then terminates it.
    private func terminateWhenActive(_ client: PostgresClient, admin: PostgresClient, matching pattern: String) async throws {
        for _ in 0..<300 {
            let rows = try await admin.query("""
                SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()
                """, [pattern]).rows
            if let pid = rows.first?["pid"].int {
                _ = try await admin.query("SELECT pg_terminate_backend($1::int4)", [String(pid)])
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no active statement like \(pattern) within 3s")
    }
}

@Suite struct PostgresStatementTests {
    @Test(arguments: [
        ("SELECT 1", true), ("  select * from t", true), ("SHOW server_version", true), ("(SELECT 1) UNION (SELECT 2)", true),
        ("-- comment\nSELECT 1", true), ("/* c */ SELECT pid FROM pg_stat_activity", true), ("VALUES (1)", true),
        ("SELECT pg_terminate_backend(12)", false), ("SELECT nextval('s')", false), ("SELECT * INTO copy FROM t", false),
        ("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", false), ("INSERT INTO t VALUES (1)", false),
        ("UPDATE t SET a = 1", false), ("CREATE INDEX CONCURRENTLY i ON t (c)", false), ("DO $$BEGIN END$$", false),
        ("SELECT set_config('x', '1', false)", false), ("SELECT 1; DROP TABLE t", false), ("", false),
    ])
    func onlyPlainReadsCountAsReadOnly(sql: String, readOnly: Bool) {
        #expect(PostgresStatement.isReadOnly(sql) == readOnly)
    }

    @Test(arguments: [
        ("orders", true), ("_x9", true), ("customer_id", true), (String(repeating: "a", count: 63), true),
        (String(repeating: "a", count: 64), false), ("Orders", false), ("9lives", false), ("a-b", false), ("a b", false),
        ("a\"b", false), ("", false), ("orders;drop", false), ("ordérs", false), ("public.orders", false),
    ])
    func identifiers(name: String, valid: Bool) {
        #expect(PostgresIdentifier.isValid(name) == valid)
        #expect((PostgresIdentifier.quoted(name) == "\"\(name)\"") == valid)
    }
}
