import BotCore
import PostgresDriver

/// `postgres.connections` (read-only): client backends by state against `max_connections`.
package struct PostgresConnections: Action {
    package let name = "postgres.connections"
    package let readOnly = true
    let target: PostgresTarget

    package init(target: PostgresTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let client = try target.connected()
        let result: PostgresResult
        do {
            result = try await client.query("""
                SELECT coalesce(state, 'unknown') AS state, count(*) AS count,
                       current_setting('max_connections')::int8 AS max_connections
                FROM pg_stat_activity WHERE backend_type = 'client backend'
                GROUP BY 1 ORDER BY 2 DESC, 1
                """)
        } catch {
            throw target.failure(error, doing: "count connections")
        }
        let states = result.rows.map { (state: $0["state"].string ?? "unknown", count: Int($0["count"].int ?? 0)) }
        let total = states.reduce(0) { $0 + $1.count }
        let maximum = Int(result.rows.first?["max_connections"].int ?? 0)
        let percent = maximum > 0 ? total * 100 / maximum : 0
        var facts = ["total": String(total), "max_connections": String(maximum)]
        for state in states { facts["state." + state.state.replacing(" ", with: "_")] = String(state.count) }
        let breakdown = states.map { "\($0.state) \($0.count)" }.joined(separator: ", ")
        return ActionOutput(
            summary: "PostgreSQL `\(target.shown)`: *\(total)* of \(maximum) connections in use (\(percent) %): \(breakdown)",
            facts: facts,
            details: [
                .indicator(name: "connections", value: "\(total)/\(maximum)", threshold: "healthy below 80 % of max_connections", healthy: percent < 80),
                .table(OutputTable(title: "Client backends by state", columns: ["state", "count"],
                                   rows: states.map { [$0.state, String($0.count)] })),
            ])
    }
}

/// `postgres.connection_count` (read-only): the number of client backends, for before/after checks.
package struct PostgresConnectionCount: Action {
    package let name = "postgres.connection_count"
    package let readOnly = true
    let target: PostgresTarget

    package init(target: PostgresTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let client = try target.connected()
        do {
            let result = try await client.query("SELECT count(*) AS total FROM pg_stat_activity WHERE backend_type = 'client backend'")
            let total = Int(result.rows.first?["total"].int ?? 0)
            return ActionOutput(summary: "PostgreSQL `\(target.shown)` has \(PostgresFormat.count(total, "client connection")) now.",
                                facts: ["total": String(total)])
        } catch {
            throw target.failure(error, doing: "count connections")
        }
    }
}

/// `postgres.long_queries` (read-only), parameter `minutes` (default 5): non-idle backends whose
/// current statement has run longer than that, all databases.
package struct PostgresLongQueries: Action {
    package let name = "postgres.long_queries"
    package let readOnly = true
    let target: PostgresTarget

    package init(target: PostgresTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let minutes = try PostgresParameter.int(parameters, "minutes", default: 5, in: 0...10_080, for: name)
        let client = try target.connected()
        let result: PostgresResult
        do {
            result = try await client.query("""
                SELECT pid, usename, datname, state, extract(epoch FROM now() - query_start)::float8 AS seconds, query
                FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND state IS NOT NULL AND state <> 'idle'
                  AND pid <> pg_backend_pid() AND query_start < now() - make_interval(mins => $1::int)
                ORDER BY query_start LIMIT 100
                """, [String(minutes)])
        } catch {
            throw target.failure(error, doing: "list long-running queries")
        }
        let rows = result.rows.map { row in
            [PostgresFormat.cell(row["pid"]), PostgresFormat.cell(row["usename"]), PostgresFormat.cell(row["datname"]),
             PostgresFormat.cell(row["state"]), PostgresFormat.duration(seconds: row["seconds"].double),
             PostgresFormat.query(row["query"].string)]
        }
        let pids = result.rows.compactMap { $0["pid"].int.map(String.init) }
        let summary = rows.isEmpty
            ? "No query has been running longer than \(minutes) min on `\(target.shown)` (all databases)."
            : "\(PostgresFormat.count(rows.count, "backend")) running longer than \(minutes) min on `\(target.shown)` (all databases)."
        return ActionOutput(
            summary: summary, facts: ["count": String(rows.count), "pids": pids.joined(separator: ",")],
            details: rows.isEmpty ? [] : [.table(OutputTable(
                title: "Long-running queries", columns: ["pid", "user", "database", "state", "duration", "query"], rows: rows))])
    }
}

/// `postgres.locks` (read-only): lock requests not granted, with the pids blocking them.
package struct PostgresLocks: Action {
    package let name = "postgres.locks"
    package let readOnly = true
    let target: PostgresTarget

    package init(target: PostgresTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let client = try target.connected()
        let result: PostgresResult
        do {
            result = try await client.query("""
                SELECT w.pid, w.locktype, w.mode, w.relation::regclass::text AS relation,
                       extract(epoch FROM now() - coalesce(a.query_start, a.backend_start))::float8 AS seconds,
                       a.query AS waiting_query, pg_blocking_pids(w.pid)::text AS blocking_pids,
                       (SELECT b.query FROM pg_stat_activity b WHERE b.pid = (pg_blocking_pids(w.pid))[1]) AS blocking_query
                FROM pg_locks w JOIN pg_stat_activity a ON a.pid = w.pid
                WHERE NOT w.granted
                ORDER BY seconds DESC NULLS LAST LIMIT 100
                """)
        } catch {
            throw target.failure(error, doing: "list lock waits")
        }
        var blockers: [Int32] = []
        let rows = result.rows.map { row in
            let blocking = PostgresFormat.pids(row["blocking_pids"].string)
            for pid in blocking where !blockers.contains(pid) { blockers.append(pid) }
            return [PostgresFormat.cell(row["pid"]), blocking.map(String.init).joined(separator: ","),
                    "\(PostgresFormat.cell(row["mode"])) (\(PostgresFormat.cell(row["locktype"])))",
                    PostgresFormat.cell(row["relation"]), PostgresFormat.duration(seconds: row["seconds"].double),
                    PostgresFormat.query(row["waiting_query"].string), PostgresFormat.query(row["blocking_query"].string)]
        }
        let blockerList = blockers.map(String.init).joined(separator: ", ")
        let summary = rows.isEmpty
            ? "No session is waiting for a lock on `\(target.shown)`."
            : "\(PostgresFormat.count(rows.count, "lock request")) waiting on `\(target.shown)`, blocked by pid \(blockerList)."
        return ActionOutput(
            summary: summary,
            facts: ["waiting": String(rows.count), "blocking_pids": blockers.map(String.init).joined(separator: ",")],
            details: rows.isEmpty ? [] : [.table(OutputTable(
                title: "Lock waits",
                columns: ["waiting pid", "blocked by", "lock", "relation", "waiting", "waiting query", "blocking query"],
                rows: rows))])
    }
}
