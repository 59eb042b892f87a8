import BotCore
import PostgresDriver

/// What `db create-index` needs to know about a table and one of its columns (resolved through search_path).
struct ColumnInspection: Sendable {
    let table: String
    let column: String
    let schema: String
    let tableOID: String
    let columnType: String
    let estimatedRows: Int64?
    let size: String
    /// name, definition, valid, leads with the column.
    let indexes: [(name: String, definition: String, valid: Bool, leading: Bool)]

    /// `idx_<table>_<column>`, nil when that would exceed 63 characters.
    static func indexName(table: String, column: String) -> String? {
        let name = "idx_\(table)_\(column)"
        return name.utf8.count <= PostgresIdentifier.maxLength ? name : nil
    }

    var indexExists: Bool { indexes.contains { $0.valid && $0.leading } }

    static func inspect(_ target: PostgresTarget, table: String, column: String)
        async throws(ActionFailure) -> ColumnInspection {
        let client = try target.connected()
        do {
            guard let found = try await client.query("""
                SELECT c.oid::text AS oid, n.nspname AS schema, c.reltuples::float8 AS reltuples, st.n_live_tup,
                       pg_size_pretty(pg_total_relation_size(c.oid)) AS size
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_stat_user_tables st ON st.relid = c.oid
                WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid)
                """, [table]).rows.first, let oid = found["oid"].string else {
                throw ActionFailure(dependency: "PostgreSQL", message: "table `\(table)` does not exist in `\(target.shown)` (search_path); nothing was run")
            }
            guard let attribute = try await client.query("""
                SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
                WHERE attrelid = $1::oid AND attname = $2 AND attnum > 0 AND NOT attisdropped
                """, [oid, column]).rows.first else {
                throw ActionFailure(dependency: "PostgreSQL", message: "table `\(table)` has no column `\(column)`; nothing was run")
            }
            let indexes = try await client.query("""
                SELECT i.relname AS name, pg_get_indexdef(ix.indexrelid) AS definition, ix.indisvalid AS valid,
                       (ix.indkey[0] = a.attnum) AS leading
                FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
                JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attname = $2
                WHERE ix.indrelid = $1::oid AND a.attnum = ANY(ix.indkey::int2[])
                ORDER BY 1
                """, [oid, column]).rows.map { row in
                (name: row["name"].string ?? "", definition: row["definition"].string ?? "",
                 valid: row["valid"].bool ?? false, leading: row["leading"].bool ?? false)
            }
            let reltuples = found["reltuples"].double ?? -1  // -1: never analyzed
            let estimate = reltuples >= 0 ? Int64(reltuples) : found["n_live_tup"].int
            return ColumnInspection(
                table: table, column: column, schema: found["schema"].string ?? "", tableOID: oid,
                columnType: attribute["type"].string ?? "", estimatedRows: estimate, size: found["size"].string ?? "", indexes: indexes)
        } catch let failure as ActionFailure {
            throw failure
        } catch let error as PostgresError {
            throw target.failure(error, doing: "inspect table `\(table)`")
        } catch {
            throw ActionFailure(dependency: "PostgreSQL", message: "could not inspect table `\(table)`: \(error)")
        }
    }
}

/// `postgres.table_info` (read-only), parameters `table`, `column`: the table exists, its estimated
/// rows and size, the indexes on that column. Preview for `db create-index`.
package struct PostgresTableInfo: Action {
    package let name = "postgres.table_info"
    package let readOnly = true
    let target: PostgresTarget

    package init(target: PostgresTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let table = try PostgresParameter.identifier(parameters, "table", for: name)
        let column = try PostgresParameter.identifier(parameters, "column", for: name)
        guard let indexName = ColumnInspection.indexName(table: table, column: column) else {
            throw .badParameter(name, "the index name `idx_\(table)_\(column)` would be longer than 63 characters")
        }
        let info = try await ColumnInspection.inspect(target, table: table, column: column)
        let rows = info.estimatedRows.map { Int($0).grouped } ?? "unknown"
        let existing = info.indexes.filter { $0.leading && $0.valid }.map(\.name)
        let summary = "`\(info.schema).\(table)` (~\(rows) rows, \(info.size)), column `\(column)` \(info.columnType): "
            + (existing.isEmpty ? "no index starts with this column; `\(indexName)` would be created."
                                : "already indexed by \(existing.map { "`\($0)`" }.joined(separator: ", ")).")
        return ActionOutput(
            summary: summary,
            facts: ["table": "\(info.schema).\(table)", "column": column, "estimated_rows": info.estimatedRows.map(String.init) ?? "",
                    "index_exists": String(info.indexExists), "index_name": indexName],
            previewFacts: [
                PreviewFact(name: "table", value: .exact("\(info.schema).\(table)")),
                PreviewFact(name: "column", value: .exact(column)),
                PreviewFact(name: "index_exists", value: .exact(String(info.indexExists))),
            ],
            details: info.indexes.isEmpty ? [] : [.table(OutputTable(
                title: "Indexes using `\(column)`", columns: ["index", "valid", "leading column", "definition"],
                rows: info.indexes.map { [$0.name, $0.valid ? "yes" : "NO", $0.leading ? "yes" : "no", PostgresFormat.query($0.definition, limit: 100)] }))])
    }
}

/// `postgres.create_index` (destructive), parameters `table`, `column`, `timeout_seconds` (default 600):
/// `CREATE INDEX CONCURRENTLY IF NOT EXISTS "idx_<table>_<column>" ON "<table>" ("<column>")`.
/// Validated, quoted identifiers only; runs outside any transaction block with its own statement timeout.
package struct PostgresCreateIndex: Action {
    package let name = "postgres.create_index"
    package let readOnly = false
    let target: PostgresTarget

    package init(target: PostgresTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let table = try PostgresParameter.identifier(parameters, "table", for: name)
        let column = try PostgresParameter.identifier(parameters, "column", for: name)
        let timeout = try PostgresParameter.int(parameters, "timeout_seconds", default: 600, in: 1...86_400, for: name)
        guard let indexName = ColumnInspection.indexName(table: table, column: column),
              let quotedIndex = PostgresIdentifier.quoted(indexName), let quotedTable = PostgresIdentifier.quoted(table),
              let quotedColumn = PostgresIdentifier.quoted(column) else {
            throw .badParameter(name, "the index name `idx_\(table)_\(column)` would be longer than 63 characters")
        }
        let client = try target.connected()
        let info = try await ColumnInspection.inspect(target, table: table, column: column)
        if let same = info.indexes.first(where: { $0.name == indexName }) {
            guard same.valid else { throw leftover(indexName) }
            return ActionOutput(summary: "Index `\(indexName)` on `\(table) (\(column))` already exists; nothing was done.",
                                facts: ["index": indexName, "created": "false"])
        }
        let started = ContinuousClock.now
        do {
            _ = try await client.query("CREATE INDEX CONCURRENTLY IF NOT EXISTS \(quotedIndex) ON \(quotedTable) (\(quotedColumn))",
                                       statementTimeout: .seconds(timeout))
        } catch {
            let after = try? await ColumnInspection.inspect(target, table: table, column: column)
            if after?.indexes.contains(where: { $0.name == indexName && !$0.valid }) == true {
                let base = target.failure(error, doing: "create index `\(indexName)`")
                throw ActionFailure(dependency: base.dependency, message: base.message + " " + leftover(indexName).message)
            }
            throw target.failure(error, doing: "create index `\(indexName)`")
        }
        let elapsed = ContinuousClock.now - started
        let after = try await ColumnInspection.inspect(target, table: table, column: column)
        guard after.indexes.contains(where: { $0.name == indexName && $0.valid }) else { throw leftover(indexName) }
        context.logger.notice("created postgres index", metadata: ["postgres.index": "\(indexName)", "postgres.target": "\(target.shown)"])
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return ActionOutput(
            summary: "Created index `\(indexName)` on `\(table) (\(column))` concurrently in \(PostgresFormat.duration(seconds: seconds)).",
            facts: ["index": indexName, "created": "true", "table": "\(after.schema).\(table)", "column": column])
    }

    private func leftover(_ indexName: String) -> ActionFailure {
        ActionFailure(dependency: "PostgreSQL", message: "an INVALID index `\(indexName)` is left from a failed concurrent build: "
                      + "drop it with `DROP INDEX CONCURRENTLY \"\(indexName)\";` and run the command again")
    }
}
