import CSQLite

/// A failed SQLite call. `code` is the primary result code (`SQLITE_CONSTRAINT`, …).
/// SQLite messages name tables/columns but never bound values, so they are operator-safe.
package struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// Primary result code (low 8 bits of the extended code).
    package var code: Int32 { extendedCode & 0xFF }
    /// Extended result code, e.g. `SQLITE_CONSTRAINT_UNIQUE` (2067).
    package let extendedCode: Int32
    package let message: String

    package init(extendedCode: Int32, message: String) {
        self.extendedCode = extendedCode
        self.message = message
    }

    package var isConstraint: Bool { code == SQLITE_CONSTRAINT }
    package var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    package var isReadOnly: Bool { code == SQLITE_READONLY }
    package var isCantOpen: Bool { code == SQLITE_CANTOPEN }

    package var description: String { "sqlite: \(message) (code \(code))" }

    /// The connection was closed before (or while) the work was queued.
    static let closed = SQLiteError(extendedCode: SQLITE_MISUSE, message: "connection is closed")

    /// Error from the connection's current error state.
    static func from(_ db: OpaquePointer?, code: Int32) -> SQLiteError {
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? sqlite3_errstr(code).map { String(cString: $0) } ?? "unknown error"
        let extended = db.map { sqlite3_extended_errcode($0) } ?? code
        // The connection's extended code can be stale when `code` came from elsewhere.
        return SQLiteError(extendedCode: extended & 0xFF == code & 0xFF ? extended : code, message: message)
    }
}
