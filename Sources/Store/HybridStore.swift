import BotCore
import Foundation
import SQLiteDriver

/// The bot's durable state in one SQLite file: inbox, execution claims, audit chain.
///
/// One connection, one dedicated thread (the driver's): every write is serialized, which is what
/// keeps the audit chain linear and lets unique constraints arbitrate idempotency.
package final class HybridStore: Sendable {
    private let connection: SQLiteConnection
    private let writer: WriteBatcher
    private let redactor: SecretRedactor
    private let clock: @Sendable () -> Date
    package let path: String
    /// Random, fixed at creation: which store this is. A relay sends it with every answer and refuses a core that
    /// expects another, so cores behind a load balancer can never split their claims across two stores.
    package let storeID: String

    private init(
        connection: SQLiteConnection, path: String, storeID: String, redactor: SecretRedactor, clock: @escaping @Sendable () -> Date
    ) {
        self.storeID = storeID
        self.connection = connection
        self.writer = WriteBatcher(connection: connection)
        self.path = path
        self.redactor = redactor
        self.clock = clock
    }

    package struct Failure: Error, CustomStringConvertible, Sendable {
        package let description: String
    }

    /// Opens (creating if needed) the store and brings its schema up to date.
    package static func open(
        path: String, redactor: SecretRedactor = .none, clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> HybridStore {
        let connection = try await SQLiteConnection.open(path: path)
        do {
            try await connection.withDatabase { try Schema.migrate($0) }
        } catch {
            await connection.close()
            throw Failure(description: "\(path): cannot prepare the database (\(error))")
        }
        let storeID = (try? await connection.withDatabase { db in
            try db.query("SELECT value FROM meta WHERE key = 'store_id'").first?["value"].string
        }) ?? nil
        guard let storeID, !storeID.isEmpty else {
            await connection.close()
            throw Failure(description: "\(path): the database has no store id (meta table); it is not one this version prepared")
        }
        return HybridStore(connection: connection, path: path, storeID: storeID, redactor: redactor, clock: clock)
    }

    /// Opens an existing store for the `audit` subcommands; never creates a file.
    package static func openExisting(path: String) async throws -> HybridStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "\(path): no such database (set HYBRIDBOT_DB to the bot's SQLite file)")
        }
        let connection = try await SQLiteConnection.open(path: path, readOnly: true, createIfMissing: false)
        return HybridStore(connection: connection, path: path, storeID: "", redactor: .none, clock: { Date() })
    }

    package func close() async {
        await connection.close()
    }

    package func now() -> String {
        Timestamp.rfc3339(clock())
    }

    /// The store's clock in milliseconds since 1970.
    package func nowMillis() -> Int64 {
        Int64(clock().timeIntervalSince1970 * 1000)
    }

    // MARK: audit

    @discardableResult
    package func append(_ entry: AuditEntry) async throws -> AuditRecord {
        let at = now()
        let redactor = self.redactor
        return try await write { db in try AuditChain.append(entry, at: at, redact: redactor.redact, in: db) }
    }

    package func auditRecords(sinceAt: String? = nil, user: String? = nil) async throws -> [AuditRecord] {
        var clauses: [String] = []
        var binds: [SQLiteValue] = []
        if let sinceAt { clauses.append("at >= ?"); binds.append(.text(sinceAt)) }
        if let user { clauses.append("user = ?"); binds.append(.text(user)) }
        let clause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let values = binds
        return try await connection.withDatabase { db in try AuditChain.records(in: db, where: clause, binds: values) }
    }

    package func verifyAudit() async throws -> AuditVerification {
        try await connection.withDatabase { db in try AuditChain.verify(in: db) }
    }

    /// Runs raw SQL; for tests that play the attacker and for diagnostics.
    package func unsafeExecuteScript(_ sql: String) async throws {
        try await connection.withDatabase { db in try db.executeScript(sql) }
    }

    /// Writes and commits so far: how much group commit is saving.
    package var writeStatistics: (writes: Int, commits: Int) { writer.statistics }

    /// A write transaction, group-committed with concurrent ones (see `WriteBatcher`).
    func write<T: Sendable>(_ body: @Sendable @escaping (SQLiteDatabase) throws -> T) async throws -> T {
        try await writer.write(body)
    }

    func withDatabase<T: Sendable>(_ body: @Sendable @escaping (SQLiteDatabase) throws -> T) async throws -> T {
        try await connection.withDatabase(body)
    }

    var redact: @Sendable (String) -> String {
        let redactor = self.redactor
        return { redactor.redact($0) }
    }
}

package enum Timestamp {
    /// RFC 3339, UTC, millisecond precision: sorts as text.
    package static func rfc3339(_ date: Date) -> String { RFC3339.formatMilliseconds(date) }

    package static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = formatter.date(from: text) { return d }
        formatter.formatOptions = [.withInternetDateTime]
        if let d = formatter.date(from: text) { return d }
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)
    }
}

extension HybridStore {
    /// True when a write transaction can start (readiness probe): takes the write lock and releases it.
    package func isWritable() async -> Bool {
        (try? await withDatabase { db in
            // BEGIN IMMEDIATE alone succeeds on a read-only connection; a no-op write statement does not.
            try db.transaction { db in try db.execute("DELETE FROM deliveries WHERE 0") }
            return true
        }) ?? false
    }
}
