import CSQLite

/// Prepared statements keyed by SQL text (`SQLITE_PREPARE_PERSISTENT`), finalized on close.
/// Owned by one ``SQLiteDatabase`` and confined to its thread.
final class StatementCache {
    /// Beyond this many distinct SQL texts, statements are prepared per use and not cached.
    static let capacity = 256

    private var statements: [String: Statement] = [:]

    /// Runs `body` with the statement for `sql`, resetting it afterwards. Returns nil without
    /// calling `body` when `sql` holds no statement (only whitespace or comments).
    func withStatement<T>(
        _ sql: String, db: OpaquePointer, _ body: (Statement) throws -> T
    ) throws -> T? {
        if let cached = statements[sql] {
            defer { cached.reset() }
            return try body(cached)
        }
        guard let statement = try prepare(sql, db: db) else { return nil }
        if statements.count < Self.capacity {
            statements[sql] = statement
            defer { statement.reset() }
            return try body(statement)
        }
        defer { sqlite3_finalize(statement.handle) }
        return try body(statement)
    }

    func finalizeAll() {
        for statement in statements.values { sqlite3_finalize(statement.handle) }
        statements.removeAll()
    }

    private func prepare(_ sql: String, db: OpaquePointer) throws -> Statement? {
        var handle: OpaquePointer?
        var trailingStatement = false
        let rc = sql.withCString { start in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(db, start, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, &tail)
            if rc == SQLITE_OK, let tail, tail.pointee != 0 {
                // Anything after the first statement must be whitespace or comments.
                var next: OpaquePointer?
                let nextRC = sqlite3_prepare_v2(db, tail, -1, &next, nil)
                trailingStatement = nextRC != SQLITE_OK || next != nil
                sqlite3_finalize(next)
            }
            return rc
        }
        guard rc == SQLITE_OK else {
            sqlite3_finalize(handle)
            throw SQLiteError.from(db, code: rc)
        }
        if trailingStatement {
            sqlite3_finalize(handle)
            throw SQLiteError(
                extendedCode: SQLITE_MISUSE,
                message: "SQL holds more than one statement; use executeScript for multi-statement SQL")
        }
        return handle.map(Statement.init(handle:))
    }
}
