import SQLiteDriver

/// The one SQLite schema: inbox (deliveries), execution claims, the hash-chained audit, approvals, durable timers
/// (bypass deadlines, escalation reminders) and PagerDuty incidents. Version 3 adds timers and incidents, version 4
/// the leases of deliveries handed to cores (`relay`); every statement is `IF NOT EXISTS` and the new columns are
/// added with `ALTER TABLE`, so an older file is upgraded in place.
enum Schema {
    static let version = 4

    static let statements = """
        CREATE TABLE IF NOT EXISTS deliveries (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            payload TEXT NOT NULL,
            received_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
            done_at TEXT
        );
        CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(state) WHERE state = 'pending';
        CREATE TABLE IF NOT EXISTS executions (
            key TEXT PRIMARY KEY,
            delivery_id INTEGER,
            state TEXT NOT NULL CHECK (state IN ('started', 'finished', 'interrupted')),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            result TEXT
        );
        CREATE TABLE IF NOT EXISTS audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            user TEXT,
            channel TEXT,
            command TEXT,
            outcome TEXT,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS approvals (
            id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            request TEXT NOT NULL,
            plan TEXT NOT NULL,
            message_channel TEXT,
            message_ts TEXT,
            response_url TEXT,
            expires_at INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS approvals_open ON approvals(state) WHERE state IN ('pending', 'verifying', 'executing');
        CREATE TABLE IF NOT EXISTS timers (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'firing', 'done', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            generation INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            done_at TEXT
        );
        CREATE INDEX IF NOT EXISTS timers_due ON timers(due_at) WHERE state = 'pending';
        CREATE INDEX IF NOT EXISTS timers_firing ON timers(key) WHERE state = 'firing';
        CREATE TABLE IF NOT EXISTS incidents (
            id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            last_event_at TEXT NOT NULL,
            incident TEXT NOT NULL,
            message_channel TEXT,
            message_ts TEXT,
            triggered_at TEXT,
            acknowledged_at TEXT,
            resolved_at TEXT,
            report_at TEXT,
            events TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE IF NOT EXISTS meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));
        CREATE TRIGGER IF NOT EXISTS audit_append_only_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_append_only_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
        """

    /// Version 4: leases of deliveries, claimants of executions and timers, swap tokens of the relay's compare-and-swap.
    static let addedColumns: [(table: String, column: String, declaration: String)] = [
        ("deliveries", "lease_owner", "TEXT"), ("deliveries", "lease_until", "INTEGER"),
        ("deliveries", "attempts", "INTEGER NOT NULL DEFAULT 0"), ("executions", "claimant", "TEXT"),
        ("timers", "claimant", "TEXT"), ("timers", "claimed_at", "INTEGER"),
        ("approvals", "swap_token", "TEXT"), ("incidents", "swap_token", "TEXT"),
    ]

    static func migrate(_ db: SQLiteDatabase) throws {
        // WAL + synchronous=FULL: a commit is on disk before we ack Slack.
        _ = try db.query("PRAGMA journal_mode=WAL")
        try db.executeScript("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
        let current = Int(try db.query("PRAGMA user_version").first?.values.first?.int ?? 0)
        guard current < version else { return }
        try db.transaction { db in
            try db.executeScript(statements)
            // Columns newer than their table: added to an older file whatever version it came from.
            for (table, column, declaration) in addedColumns {
                let existing = try db.query("SELECT name FROM pragma_table_info(?)", [.text(table)]).compactMap { $0["name"].string }
                if !existing.contains(column) { try db.executeScript("ALTER TABLE \(table) ADD COLUMN \(column) \(declaration);") }
            }
            try db.executeScript("PRAGMA user_version=\(version)")
        }
    }
}
