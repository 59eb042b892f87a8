import CSQLite

/// A synchronous view of one SQLite connection. Only ever handed to closures running on the
/// connection's own thread (see ``SQLiteConnection/withDatabase(_:)``); deliberately not Sendable.
package final class SQLiteDatabase {
    private var handle: OpaquePointer?
    private let statements = StatementCache()
    private var savepointDepth = 0

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    /// Runs one statement with bound parameters, discarding any rows.
    package func execute(_ sql: String, _ binds: [SQLiteValue] = []) throws {
        let db = try openHandle()
        _ = try statements.withStatement(sql, db: db) { statement in
            try statement.bind(binds, db: db)
            try statement.run(db: db) { _ in }
        }
    }

    /// Runs one statement with bound parameters and returns all rows.
    package func query(_ sql: String, _ binds: [SQLiteValue] = []) throws -> [SQLiteRow] {
        let db = try openHandle()
        return try statements.withStatement(sql, db: db) { statement in
            try statement.bind(binds, db: db)
            let columns = statement.columnNames()
            var rows: [SQLiteRow] = []
            try statement.run(db: db) { current in
                rows.append(SQLiteRow(columns: columns, values: current.currentValues(count: columns.count)))
            }
            return rows
        } ?? []
    }

    /// Runs several `;`-separated statements (DDL, migrations) with `sqlite3_exec`; no binds.
    package func executeScript(_ sql: String) throws {
        let db = try openHandle()
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "script failed"
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(db), message: text)
        }
    }

    package var lastInsertRowID: Int64 {
        handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// Rows changed by the most recent INSERT/UPDATE/DELETE.
    package var changes: Int {
        handle.map { Int(sqlite3_changes64($0)) } ?? 0
    }

    /// `BEGIN IMMEDIATE` … `COMMIT`, rolled back when `body` throws. Nested calls use savepoints.
    package func transaction<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        let db = try openHandle()
        if sqlite3_get_autocommit(db) == 0 {
            return try savepoint(body)
        }
        try executeScript("BEGIN IMMEDIATE")
        let result: T
        do {
            result = try body(self)
            try executeScript("COMMIT")
        } catch {
            if sqlite3_get_autocommit(db) == 0 { try? executeScript("ROLLBACK") }
            throw error
        }
        return result
    }

    private func savepoint<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "hb_savepoint_\(savepointDepth)"
        try executeScript("SAVEPOINT \(name)")
        do {
            let result = try body(self)
            try executeScript("RELEASE \(name)")
            return result
        } catch {
            try? executeScript("ROLLBACK TO \(name)")
            try? executeScript("RELEASE \(name)")
            throw error
        }
    }

    var isOpen: Bool { handle != nil }

    /// Finalizes cached statements and closes the connection. Idempotent.
    func close() {
        guard let db = handle else { return }
        statements.finalizeAll()
        sqlite3_close_v2(db)
        handle = nil
    }

    private func openHandle() throws -> OpaquePointer {
        guard let handle else { throw SQLiteError.closed }
        return handle
    }
}

@available(*, unavailable, message: "SQLiteDatabase is confined to its connection's thread")
extension SQLiteDatabase: Sendable {}
