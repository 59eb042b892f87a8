@testable import Actions
import BotCore
import PostgresDriver
import TestSupport
import Testing

/// `postgres.table_info`, `create_index`, `slow_queries`, `size`, `pool` and failure reporting
/// against a real PostgreSQL.
@Suite(.postgresServer, .serialized) struct PostgresSchemaActionTests {
    @Test func tableInfoThenCreateIndexConcurrently() async throws {
        let target = try PostgresFixture.target()
        let admin = try PostgresFixture.session("admin")
        _ = try await admin.query("CREATE TABLE orders (id int PRIMARY KEY, customer_id int, note text)")
        _ = try await admin.query("INSERT INTO orders SELECT g, g % 97, 'n' FROM generate_series(1, 2000) g")
        _ = try await admin.query("ANALYZE orders")

        let info = try await PostgresFixture.run(PostgresTableInfo(target: target), ["table": .string("orders"), "column": .string("customer_id")])
        #expect(info.previewFacts.contains(PreviewFact(name: "index_exists", value: .exact("false"))))
        #expect(info.previewFacts.contains(PreviewFact(name: "table", value: .exact("public.orders"))))
        #expect(info.facts["estimated_rows"] == "2000")
        #expect(info.facts["index_name"] == "idx_orders_customer_id")
        #expect(info.summary.contains("`idx_orders_customer_id` would be created"))

        let create = PostgresCreateIndex(target: target)
        let created = try await PostgresFixture.run(create, ["table": .string("orders"), "column": .string("customer_id"), "timeout_seconds": .int(30)])
        #expect(created.facts["created"] == "true")
        let definition = try await admin.query("SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_orders_customer_id'").rows.first?["indexdef"]
        #expect(definition == .text("CREATE INDEX idx_orders_customer_id ON public.orders USING btree (customer_id)"))
        let valid = try await admin.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'idx_orders_customer_id'::regclass").rows.first?["indisvalid"]
        #expect(valid == .bool(true))

        let again = try await PostgresFixture.run(PostgresTableInfo(target: target), ["table": .string("orders"), "column": .string("customer_id")])
        #expect(again.previewFacts.contains(PreviewFact(name: "index_exists", value: .exact("true"))))
        let table = try #require(PostgresFixture.table(again))
        #expect(table.rows.first?.first == "idx_orders_customer_id")
        let twice = try await PostgresFixture.run(create, ["table": .string("orders"), "column": .string("customer_id")])
        #expect(twice.facts["created"] == "false")

        let noTable = await PostgresFixture.failure(create, ["table": .string("no_such_table"), "column": .string("id")])
        #expect(noTable?.message.contains("table `no_such_table` does not exist") == true)
        let noColumn = await PostgresFixture.failure(create, ["table": .string("orders"), "column": .string("no_such_column")])
        #expect(noColumn?.message.contains("has no column `no_such_column`") == true)
        let tooLong = await PostgresFixture.failure(create, ["table": .string(String(repeating: "t", count: 55)), "column": .string("customer_id")])
        #expect(tooLong?.message.contains("longer than 63 characters") == true)
        let count = try await admin.query("SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'orders'").rows.first?["n"]
        #expect(count == .int(2))  // primary key + ours

        _ = try await admin.query("DROP TABLE orders")
        await admin.close()
        await target.client?.close()
    }

    @Test func aTimedOutConcurrentBuildReportsTheInvalidLeftover() async throws {
        let target = try PostgresFixture.target()
        let admin = try PostgresFixture.session("admin")
        let snapshot = try PostgresFixture.session("old-snapshot")
        _ = try await admin.query("CREATE TABLE events (id int, kind text)")
        // CREATE INDEX CONCURRENTLY waits for every older snapshot: this one outlives the 1 s timeout.
        _ = try await snapshot.query("BEGIN ISOLATION LEVEL REPEATABLE READ")
        _ = try await snapshot.query("SELECT 1")
        let create = PostgresCreateIndex(target: target)
        let parameters: [String: ResolvedValue] = ["table": .string("events"), "column": .string("kind"), "timeout_seconds": .int(1)]
        let timedOut = await PostgresFixture.failure(create, parameters)
        #expect(timedOut?.message.contains("statement timeout") == true)
        #expect(timedOut?.message.contains("an INVALID index `idx_events_kind` is left") == true)
        _ = try await snapshot.query("ROLLBACK")
        let again = await PostgresFixture.failure(create, parameters)
        #expect(again?.message.contains("DROP INDEX CONCURRENTLY \"idx_events_kind\";") == true)
        let info = try await PostgresFixture.run(PostgresTableInfo(target: target), ["table": .string("events"), "column": .string("kind")])
        #expect(info.previewFacts.contains(PreviewFact(name: "index_exists", value: .exact("false"))))
        #expect(PostgresFixture.table(info)?.rows.first?[1] == "NO")

        _ = try await admin.query("DROP TABLE events")
        await snapshot.close()
        await admin.close()
        await target.client?.close()
    }

    @Test(arguments: [
        ["table": "orders; DROP TABLE victims", "column": "id"],
        ["table": "orders", "column": "id\") ; DROP TABLE victims; --"],
        ["table": "Victims", "column": "id"],
        ["table": "victims", "column": "1id"],
        ["table": "vic\"tims", "column": "id"],
        ["table": "victims", "column": "id id"],
        ["table": "", "column": "id"],
    ])
    func hostileIdentifiersAreRefusedBeforeAnySQL(parameters: [String: String]) async throws {
        let admin = try PostgresFixture.session("admin")
        _ = try await admin.query("CREATE TABLE IF NOT EXISTS victims (id int)")
        let target = try PostgresFixture.target()
        // An unreachable server: a refusal that mentions the parameter (not the connection) proves nothing was sent.
        let nowhere = PostgresTarget(url: "postgresql://127.0.0.1:\(try RedisTestServer.freePort())/hybrid_ai", connectTimeout: .seconds(2))
        let resolved = parameters.mapValues(ResolvedValue.string)
        for action in [PostgresTableInfo(target: target), PostgresCreateIndex(target: target),
                       PostgresTableInfo(target: nowhere), PostgresCreateIndex(target: nowhere)] as [any Action] {
            let failure = await PostgresFixture.failure(action, resolved)
            #expect(failure?.dependency == action.name)
            #expect(failure?.message.contains("`table`") == true || failure?.message.contains("`column`") == true)
        }
        let tables = try await admin.query("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'victims'").rows.first?["n"]
        #expect(tables == .int(1))
        let indexes = try await admin.query("SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'victims'").rows.first?["n"]
        #expect(indexes == .int(0))
        await admin.close()
        await target.client?.close()
    }

    @Test func hostileDatabaseAndTableNamesInSizeAreRefused() async throws {
        let nowhere = PostgresTarget(url: "postgresql://127.0.0.1:\(try RedisTestServer.freePort())/hybrid_ai", connectTimeout: .seconds(2))
        let size = PostgresSize(target: nowhere)
        for parameters: [String: ResolvedValue] in [
            ["database": .string("hybrid_ai'; DROP DATABASE hybrid_ai; --")],
            ["database": .string("hybrid-ai")],
            ["tables": .string("orders,users; DELETE FROM users")],
            ["tables": .string("orders,\"Users\"")],
        ] {
            let failure = await PostgresFixture.failure(size, parameters)
            #expect(failure?.dependency == "postgres.size")
            #expect(failure?.message.contains("nothing was run") == true)
        }
    }

    @Test func slowQueriesFromPgStatStatements() async throws {
        let admin = try PostgresFixture.session("admin")
        _ = try await admin.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        _ = try await admin.query("SELECT pg_stat_statements_reset()")
        for _ in 0..<2 { _ = try await admin.query("SELECT pg_sleep(0.3)") }
        let target = try PostgresFixture.target()
        let output = try await PostgresFixture.run(PostgresSlowQueries(target: target), ["limit": .int(3)])
        let table = try #require(PostgresFixture.table(output))
        #expect(table.columns == ["mean", "calls", "total", "rows", "database", "query"])
        #expect(table.rows.count <= 3)
        let sleepRow = try #require(table.rows.first)
        #expect(sleepRow[5] == "SELECT pg_sleep($1)")
        #expect(sleepRow[1] == "2")
        #expect(sleepRow[4] == "hybrid_ai")
        #expect(sleepRow[0].hasSuffix(" ms") && (Double(sleepRow[0].dropLast(3)) ?? 0) >= 300)
        let refused = await PostgresFixture.failure(PostgresSlowQueries(target: target), ["limit": .int(51)])
        #expect(refused?.dependency == "postgres.slow_queries")

        _ = try await admin.query("CREATE DATABASE no_statements")
        let bare = PostgresTarget(url: try PostgresTestServer.shared().url(database: "no_statements"))
        let missing = await PostgresFixture.failure(PostgresSlowQueries(target: bare))
        #expect(missing?.dependency == "PostgreSQL")
        #expect(missing?.message.contains("CREATE EXTENSION pg_stat_statements") == true)
        #expect(missing?.message.contains("shared_preload_libraries") == true)
        await bare.client?.close()
        await target.client?.close()
        await admin.close()
    }

    @Test func sizeOfTheDatabaseAndItsTables() async throws {
        let admin = try PostgresFixture.session("admin")
        _ = try await admin.query("CREATE TABLE sized (id int)")
        _ = try await admin.query("INSERT INTO sized SELECT generate_series(1, 500)")
        _ = try await admin.query("SELECT pg_stat_force_next_flush()")
        _ = try await admin.query("SELECT 1")  // the flush happens when this session next reports
        let target = try PostgresFixture.target()
        let size = PostgresSize(target: target)

        var output = try await PostgresFixture.run(size, ["tables": .string("sized, missing_table")])
        for _ in 0..<100 where output.facts["rows.sized"] != "500" {
            try await Task.sleep(for: .milliseconds(30))
            output = try await PostgresFixture.run(size, ["tables": .string("sized, missing_table")])
        }
        #expect(output.facts["database"] == "hybrid_ai")
        #expect((Int(output.facts["bytes"] ?? "") ?? 0) > 1_000_000)
        #expect(output.facts["rows.sized"] == "500")
        #expect(output.summary.hasPrefix("Database `hybrid_ai` is "))
        let table = try #require(PostgresFixture.table(output))
        #expect(table.rows.map(\.first) == ["sized", "missing_table"])
        #expect(table.rows.last?[1] == "not found")

        let listed = try await PostgresFixture.run(size, ["tables": .list([.string("sized")])])
        #expect(PostgresFixture.table(listed)?.rows.map(\.first) == ["sized"])
        let all = try await PostgresFixture.run(size)
        #expect(PostgresFixture.table(all)?.rows.contains { $0.first == "sized" } == true)
        let other = try await PostgresFixture.run(size, ["database": .string("postgres")])
        #expect(other.facts["database"] == "postgres")
        #expect(other.details.contains(.text("Row estimates are only available for the connected database `hybrid_ai`.")))
        let missing = await PostgresFixture.failure(size, ["database": .string("no_such_db")])
        #expect(missing?.message == "database `no_such_db` does not exist on `127.0.0.1:\(try PostgresTestServer.shared().port)/hybrid_ai`")

        _ = try await admin.query("DROP TABLE sized")
        await admin.close()
        await target.client?.close()
    }

    @Test func poolNeedsPgbouncer() async throws {
        let notSet = await PostgresFixture.failure(PostgresPool(pgbouncer: nil))
        #expect(notSet?.dependency == "pgbouncer")
        #expect(notSet?.message.hasPrefix("PGBOUNCER_URL is not set") == true)
        // A plain PostgreSQL is not pgbouncer: SHOW POOLS fails, reported against pgbouncer.
        let wrong = PostgresTarget.pgbouncer(url: try PostgresTestServer.shared().url)
        let failure = await PostgresFixture.failure(PostgresPool(pgbouncer: wrong))
        #expect(failure?.dependency == "pgbouncer")
        #expect(failure?.message.contains("could not run SHOW POOLS") == true)
        await wrong.client?.close()
    }

    @Test func serverDownIsAFailureWithinTheTimeout() async throws {
        let port = try RedisTestServer.freePort()
        let down = PostgresTarget(url: "postgresql://bot:hunter2@127.0.0.1:\(port)/hybrid_ai", connectTimeout: .seconds(2))
        let started = ContinuousClock.now
        for action in PostgresActions.makeAll(target: down, pgbouncer: nil) where action.name != "postgres.pool" {
            let failure = await PostgresFixture.failure(action, ["table": .string("t"), "column": .string("c")])
            #expect(failure?.dependency == "PostgreSQL", "\(action.name)")
            #expect(failure?.message.contains("Check DATABASE_URL and that PostgreSQL is up") == true, "\(action.name)")
            #expect(failure?.message.contains("hunter2") == false)
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(Set(PostgresActions.makeAll(target: down, pgbouncer: nil).map(\.name)) == PostgresActions.names)

        let bad = PostgresTarget(url: "mysql://bot:hunter2@db/hybrid_ai")
        let unusable = await PostgresFixture.failure(PostgresConnections(target: bad))
        #expect(unusable?.message.hasPrefix("DATABASE_URL is not usable: Invalid PostgreSQL URL") == true)
        #expect(unusable?.message.contains("hunter2") == false)
    }

    @Test func targetsFromSettings() throws {
        let url = try PostgresTestServer.shared().url
        let plain = PostgresTarget.fromSettings { ["DATABASE_URL": url][$0] }
        #expect(plain.database.shown == "127.0.0.1:\(try PostgresTestServer.shared().port)/hybrid_ai")
        #expect(plain.pgbouncer == nil)
        let defaults = PostgresTarget.fromSettings { _ in nil }
        #expect(defaults.database.shown == "127.0.0.1:5432/hybrid_ai")
        let both = PostgresTarget.fromSettings {
            ["DATABASE_URL": "postgresql://bot:hunter2@db:5432/hybrid_ai", "PGBOUNCER_URL": "postgresql://stats:pw@pgbouncer:6432/pgbouncer"][$0]
        }
        #expect(both.database.shown == "db:5432/hybrid_ai")
        #expect(both.pgbouncer?.shown == "pgbouncer:6432/pgbouncer")
    }

    @Test(arguments: [(0.4, "0s"), (42.9, "42s"), (303, "5m 03s"), (7_620, "2h 07m"), (273_600, "3d 04h")])
    func durationsAreShort(seconds: Double, shown: String) {
        #expect(PostgresFormat.duration(seconds: seconds) == shown)
    }
}
