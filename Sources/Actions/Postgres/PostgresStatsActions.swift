import BotCore
import PostgresDriver

/// `postgres.slow_queries` (read-only), parameter `limit` (default 10, at most 50): the statements
/// of `pg_stat_statements` with the highest mean time (`mean_exec_time` from PostgreSQL 13, `mean_time` before).
package struct PostgresSlowQueries: Action {
    package let name = "postgres.slow_queries"
    package let readOnly = true
    let target: PostgresTarget

    package init(target: PostgresTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let limit = try PostgresParameter.int(parameters, "limit", default: 10, in: 1...50, for: name)
        let client = try target.connected()
        let result: PostgresResult
        do {
            let installed = try await client.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
            guard !installed.rows.isEmpty else { throw missingExtension() }
            // Column names from a fixed pair chosen by version, never from input.
            let (mean, total) = try await client.serverVersion() >= 130_000
                ? ("mean_exec_time", "total_exec_time") : ("mean_time", "total_time")
            result = try await client.query("""
                SELECT s.calls, s.\(mean)::float8 AS mean_ms, s.\(total)::float8 AS total_ms, s.rows, d.datname, s.query
                FROM pg_stat_statements s LEFT JOIN pg_database d ON d.oid = s.dbid
                ORDER BY s.\(mean) DESC NULLS LAST LIMIT $1::int
                """, [String(limit)])
        } catch let failure as ActionFailure {
            throw failure
        } catch let error as PostgresError {
            // 55000: installed but not preloaded.
            if error.sqlState == "55000" || error.message.contains("shared_preload_libraries") { throw missingExtension() }
            throw target.failure(error, doing: "read pg_stat_statements")
        } catch {
            throw ActionFailure(dependency: "PostgreSQL", message: "could not read pg_stat_statements: \(error)")
        }
        let rows = result.rows.map { row in
            [Self.milliseconds(row["mean_ms"].double), PostgresFormat.cell(row["calls"]), Self.milliseconds(row["total_ms"].double),
             PostgresFormat.cell(row["rows"]), PostgresFormat.cell(row["datname"]), PostgresFormat.query(row["query"].string)]
        }
        let top = result.rows.first.map { "slowest mean \(Self.milliseconds($0["mean_ms"].double))" } ?? "no statements recorded yet"
        return ActionOutput(
            summary: "Top \(rows.count) statements by mean time on `\(target.shown)` (pg_stat_statements, all databases): \(top).",
            facts: ["count": String(rows.count)],
            details: rows.isEmpty ? [] : [.table(OutputTable(
                title: "Slow queries", columns: ["mean", "calls", "total", "rows", "database", "query"], rows: rows))])
    }

    private func missingExtension() -> ActionFailure {
        ActionFailure(dependency: "PostgreSQL", message: "pg_stat_statements is not available in `\(target.shown)`: run "
                      + "`CREATE EXTENSION pg_stat_statements;` in that database, and make sure `shared_preload_libraries` "
                      + "includes `pg_stat_statements` (changing it needs a server restart).")
    }

    static func milliseconds(_ value: Double?) -> String {
        guard let value else { return "" }
        if value >= 1000 { return "\((value / 100).rounded() / 10) s" }
        return "\((value * 10).rounded() / 10) ms"
    }
}

/// `postgres.size` (read-only), parameters `database` (default: the connected one) and `tables`
/// (comma-separated; default: the 10 largest user tables): database size and row estimates.
package struct PostgresSize: Action {
    package let name = "postgres.size"
    package let readOnly = true
    let target: PostgresTarget

    package init(target: PostgresTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let database = try PostgresParameter.identifier(parameters, "database", default: target.database, for: name)
        var tables: [String] = []
        let listed: [String]
        if case .list(let items)? = parameters["tables"] { listed = items.compactMap(\.stringValue) } else {
            listed = [parameters["tables"]?.stringValue ?? ""]
        }
        for item in listed.flatMap({ $0.split(separator: ",") }) {
            let table = item.trimmingSpaces
            if !table.isEmpty { tables.append(try PostgresParameter.identifier(table, "tables", for: name)) }
        }
        guard tables.count <= 20 else { throw .badParameter(name, "at most 20 `tables`") }
        let client = try target.connected()
        do {
            let size = try await client.query(
                "SELECT pg_database_size($1) AS bytes, pg_size_pretty(pg_database_size($1)) AS pretty", [database])
            let bytes = size.rows.first?["bytes"].int ?? 0
            let pretty = size.rows.first?["pretty"].string ?? ""
            var facts = ["database": database, "bytes": String(bytes), "size": pretty]
            var details: [OutputDetail] = []
            if database == target.database {
                let rows = try await client.query(tables.isEmpty ? """
                    SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) AS size FROM pg_stat_user_tables
                    ORDER BY pg_total_relation_size(relid) DESC, relname LIMIT 10
                    """ : """
                    SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) AS size FROM pg_stat_user_tables
                    WHERE relname = ANY($1::text[]) ORDER BY pg_total_relation_size(relid) DESC, relname
                    """, tables.isEmpty ? [] : ["{" + tables.joined(separator: ",") + "}"]).rows
                var tableRows = rows.map { [PostgresFormat.cell($0["relname"]), Int($0["n_live_tup"].int ?? 0).grouped, PostgresFormat.cell($0["size"])] }
                for row in rows { facts["rows." + (row["relname"].string ?? "")] = PostgresFormat.cell(row["n_live_tup"]) }
                let found = Set(rows.compactMap { $0["relname"].string })
                tableRows += tables.filter { !found.contains($0) }.map { [$0, "not found", ""] }
                if !tableRows.isEmpty {
                    details.append(.table(OutputTable(title: "Tables (estimated rows)", columns: ["table", "rows", "size"], rows: tableRows)))
                }
            } else {
                details.append(.text("Row estimates are only available for the connected database `\(target.database)`."))
            }
            return ActionOutput(summary: "Database `\(database)` is \(pretty).", facts: facts, details: details)
        } catch {
            if error.sqlState == "3D000" {
                throw ActionFailure(dependency: "PostgreSQL", message: "database `\(database)` does not exist on `\(target.shown)`")
            }
            throw target.failure(error, doing: "measure database `\(database)`")
        }
    }
}

/// `postgres.pool` (read-only): pgbouncer's `SHOW POOLS` when `PGBOUNCER_URL` is configured.
package struct PostgresPool: Action {
    package let name = "postgres.pool"
    package let readOnly = true
    let pgbouncer: PostgresTarget?

    package init(pgbouncer: PostgresTarget?) { self.pgbouncer = pgbouncer }

    static let shownColumns = ["database", "user", "cl_active", "cl_waiting", "sv_active", "sv_idle", "sv_used", "maxwait", "pool_mode"]

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        guard let pgbouncer else {
            throw ActionFailure(dependency: "pgbouncer", message: "PGBOUNCER_URL is not set: point it at pgbouncer's admin console "
                                + "(e.g. postgresql://stats@pgbouncer:6432/pgbouncer) to see its pools")
        }
        let client = try pgbouncer.connected()
        let result: PostgresResult
        do {
            result = try await client.simpleQuery("SHOW POOLS")
        } catch {
            throw pgbouncer.failure(error, doing: "run SHOW POOLS")
        }
        let columns = Self.shownColumns.filter(result.columns.contains)
        let shown = columns.isEmpty ? result.columns : columns
        let waiting = result.rows.reduce(0) { $0 + Int($1["cl_waiting"].int ?? 0) }
        let maxWait = result.rows.map { Int($0["maxwait"].int ?? 0) }.max() ?? 0
        return ActionOutput(
            summary: "pgbouncer `\(pgbouncer.shown)`: \(PostgresFormat.count(result.rows.count, "pool")), "
                + "\(waiting) clients waiting, longest wait \(maxWait) s.",
            facts: ["pools": String(result.rows.count), "cl_waiting": String(waiting), "maxwait": String(maxWait)],
            details: [.table(OutputTable(title: "SHOW POOLS", columns: shown,
                                         rows: result.rows.map { row in shown.map { PostgresFormat.cell(row[$0]) } }))])
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
