import CLibPQ

extension PostgresConnection {
    /// Copies a `PGresult` into Swift values (the caller still owns and clears `result`).
    func convert(_ result: OpaquePointer) -> Result<PostgresResult, PostgresError> {
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            let columnCount = Int(PQnfields(result))
            let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            let types = (0..<columnCount).map { PQftype(result, Int32($0)) }
            let rowCount = Int(PQntuples(result))
            var rows: [PostgresRow] = []
            rows.reserveCapacity(rowCount)
            for row in 0..<Int32(rowCount) {
                let values = (0..<Int32(columnCount)).map { column -> PostgresValue in
                    if PQgetisnull(result, row, column) == 1 { return .null }
                    let text = String(cString: PQgetvalue(result, row, column))
                    return PostgresValue(text: text, oid: types[Int(column)])
                }
                rows.append(PostgresRow(columns: columns, values: values))
            }
            let tag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
            return .success(PostgresResult(columns: columns, rows: rows, commandTag: tag))
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR:
            let state = field(result, "C")
            var message = field(result, "M") ?? cleanedMessage(PQresultErrorMessage(result))
            if let detail = field(result, "D") { message += " (\(detail))" }
            let redacted = PostgresRedaction.redact(message, password: configuration.url.password)
            return .failure(.server(sqlState: state, redacted))
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            disconnect()  // the session is stuck in COPY mode: start over
            return .failure(.other("COPY is not supported by this client"))
        default:
            return .failure(.other("PostgreSQL sent an unexpected reply: \(cleanedMessage(PQresultErrorMessage(result)))"))
        }
    }

    /// One diagnostic field (`C` SQLSTATE, `M` primary message, `D` detail), nil when absent.
    private func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        guard let raw = PQresultErrorField(result, Int32(code.value)) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }
}

/// What the driver needs to know about a statement's text.
enum PostgresStatement {
    /// Functions with effects that make a SELECT unsafe to send twice.
    private static let effectfulFunctions = [
        "pg_terminate_backend", "pg_cancel_backend", "nextval", "setval", "set_config", "pg_advisory",
        "pg_notify", "_reset", "pg_reload_conf", "pg_rotate_logfile", "pg_switch_wal", "pg_create_", "pg_drop_",
        "lo_", "dblink", "pg_promote", "pg_backup", "pg_log_", "txid_current", "pg_current_xact_id", "pg_import_",
    ]

    /// A SELECT/SHOW/VALUES/TABLE that neither writes (`SELECT … INTO`, CTEs with INSERT…) nor calls a
    /// function with effects: safe to send again after the connection broke mid-statement.
    static func isReadOnly(_ sql: String) -> Bool {
        let lowered = sql.lowercased()
        let words = lowered.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
        guard let first = strippingComments(lowered).split(whereSeparator: { !($0.isLetter || $0 == "_") }).first,
              ["select", "show", "values", "table"].contains(first) else { return false }
        let writes: Set<Substring> = ["into", "insert", "update", "delete", "merge", "create", "drop", "alter", "truncate", "copy", "call", "do", "lock"]
        if words.contains(where: { writes.contains($0) }) { return false }
        return !effectfulFunctions.contains(where: { lowered.contains($0) })
    }

    /// The text without leading whitespace, `--` line comments and `/* */` comments (and opening parentheses).
    private static func strippingComments(_ sql: String) -> Substring {
        var rest = sql[...]
        while true {
            rest = rest.drop(while: { $0.isWhitespace || $0 == "(" })
            if rest.hasPrefix("--") {
                rest = rest.drop(while: { $0 != "\n" })
            } else if rest.hasPrefix("/*"), let end = rest.firstRange(of: "*/") {
                rest = rest[end.upperBound...]
            } else {
                return rest
            }
        }
    }
}
