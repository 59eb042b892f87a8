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
            done_at TEXT,
            lease_owner TEXT,
            lease_until INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries(state) WHERE state = 'pending';
        CREATE TABLE IF NOT EXISTS executions (
            key TEXT PRIMARY KEY,
            delivery_id INTEGER,
            state TEXT NOT NULL CHECK (state IN ('started', 'finished', 'interrupted')),
            started_at TEXT NOT NULL,
            finished_at TEXT,
            result TEXT,
            claimant TEXT
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
            done_at TEXT,
            claimant TEXT
        );
        CREATE INDEX IF NOT EXISTS timers_due ON timers(due_at) WHERE state = 'pending';
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

    static func migrate(_ db: SQLiteDatabase) throws {
        // WAL + synchronous=FULL: a commit is on disk before we ack Slack.
        _ = try db.query("PRAGMA journal_mode=WAL")
        try db.executeScript("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
        let current = Int(try db.query("PRAGMA user_version").first?.values.first?.int ?? 0)
        guard current < version else { return }
        try db.transaction { db in
            if current > 0, current < 4 {
                try db.executeScript("""
                    ALTER TABLE deliveries ADD COLUMN lease_owner TEXT;
                    ALTER TABLE deliveries ADD COLUMN lease_until INTEGER;
                    ALTER TABLE deliveries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE executions ADD COLUMN claimant TEXT;
                    """)
            }
            if current == 3 { try db.executeScript("ALTER TABLE timers ADD COLUMN claimant TEXT;") }
            try db.executeScript(statements)
            try db.executeScript("PRAGMA user_version=\(version)")
        }
    }
}
