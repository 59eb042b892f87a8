import BotCore
import PostgresDriver

/// The `postgres.*` actions (Runbook 3 and `db size`), registered in one line:
/// `ActionRegistry(… + PostgresActions.makeAll(target: database, pgbouncer: pgbouncer))`.
package enum PostgresActions {
    package static let names: Set<String> = [
        "postgres.connections", "postgres.connection_count", "postgres.long_queries", "postgres.locks",
        "postgres.terminate_preview", "postgres.terminate", "postgres.slow_queries", "postgres.table_info",
        "postgres.create_index", "postgres.size", "postgres.pool",
    ]

    /// `pgbouncer`: from `PGBOUNCER_URL` (``PostgresTarget/pgbouncer(url:connectTimeout:)``), nil when unset.
    package static func makeAll(target: PostgresTarget, pgbouncer: PostgresTarget?) -> [any Action] {
        [
            PostgresConnections(target: target), PostgresConnectionCount(target: target),
            PostgresLongQueries(target: target), PostgresLocks(target: target),
            PostgresTerminatePreview(target: target), PostgresTerminate(target: target),
            PostgresSlowQueries(target: target), PostgresTableInfo(target: target), PostgresCreateIndex(target: target),
            PostgresSize(target: target), PostgresPool(pgbouncer: pgbouncer),
        ]
    }
}

/// Reading action parameters.
enum PostgresParameter {
    static func int(_ parameters: [String: ResolvedValue], _ key: String, default value: Int, in range: ClosedRange<Int>,
                    for action: String) throws(ActionFailure) -> Int {
        guard let given = parameters[key] else { return value }
        if case .string(let text) = given, text.isEmpty { return value }
        guard let number = given.intValue, range.contains(number) else {
            throw .badParameter(action, "parameter `\(key)` must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A table, column or database name: `^[a-z_][a-z0-9_]{0,62}$`; anything else is refused before any SQL runs.
    static func identifier(_ text: String, _ key: String, for action: String) throws(ActionFailure) -> String {
        guard PostgresIdentifier.isValid(text) else {
            throw .badParameter(action, "parameter `\(key)` must be a plain lower-case name (a-z, 0-9, _; at most 63 characters, "
                                + "not starting with a digit); nothing was run")
        }
        return text
    }

    static func identifier(_ parameters: [String: ResolvedValue], _ key: String, default value: String? = nil,
                           for action: String) throws(ActionFailure) -> String {
        guard let text = parameters[key]?.stringValue, !text.isEmpty else {
            if let value { return value }
            throw .badParameter(action, "parameter `\(key)` is missing")
        }
        return try identifier(text, key, for: action)
    }
}

/// Shaping database text for Slack tables.
enum PostgresFormat {
    /// One line, at most `limit` characters ("…" when cut).
    static func query(_ text: String?, limit: Int = 80) -> String {
        guard let text else { return "" }
        let oneLine = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return oneLine.count <= limit ? oneLine : String(oneLine.prefix(limit - 1)) + "…"
    }

    /// "42s", "5m 03s", "2h 07m", "3d 04h".
    static func duration(seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "" }
        let total = max(0, Int(seconds.rounded(.down)))
        let (days, hours, minutes, secs) = (total / 86_400, total % 86_400 / 3_600, total % 3_600 / 60, total % 60)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if days > 0 { return "\(days)d \(two(hours))h" }
        if hours > 0 { return "\(hours)h \(two(minutes))m" }
        if minutes > 0 { return "\(minutes)m \(two(secs))s" }
        return "\(secs)s"
    }

    /// "{12,345}" (PostgreSQL's text form of an int array) → [12, 345].
    static func pids(_ text: String?) -> [Int32] {
        guard let text else { return [] }
        return text.trimmingBraces.split(separator: ",").compactMap { Int32($0) }
    }

    static func cell(_ value: PostgresValue) -> String { value.string ?? "" }

    /// "3 backends" / "1 backend".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}

extension String {
    fileprivate var trimmingBraces: Substring {
        var slice = self[...]
        if slice.first == "{" { slice = slice.dropFirst() }
        if slice.last == "}" { slice = slice.dropLast() }
        return slice
    }
}
