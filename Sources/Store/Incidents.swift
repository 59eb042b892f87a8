import Foundation
import SQLiteDriver

/// One PagerDuty incident as the bot tracks it (table `incidents`): its ordered state, the Slack message that shows
/// it (updated in place), the times of its life and the PagerDuty events seen. `incident`, `state` and `events` are
/// the integrator's encodings (JSON); the store only keeps them together and decides atomically.
package struct StoredIncident: Sendable, Equatable, Codable {
    package var id: String
    /// The ordered state (JSON of the integrator's state type).
    package var state: String
    package var lastEventAt: String
    /// The newest incident snapshot (JSON).
    package var incident: String
    package var messageChannel: String?
    package var messageTS: String?
    package var triggeredAt: String?
    package var acknowledgedAt: String?
    package var resolvedAt: String?
    /// When a post-incident report was generated (none yet: nil).
    package var reportAt: String?
    /// The PagerDuty events seen (JSON array), for the timeline.
    package var events: String

    package init(
        id: String, state: String, lastEventAt: String, incident: String, messageChannel: String? = nil, messageTS: String? = nil,
        triggeredAt: String? = nil, acknowledgedAt: String? = nil, resolvedAt: String? = nil, reportAt: String? = nil,
        events: String = "[]"
    ) {
        self.id = id
        self.state = state
        self.lastEventAt = lastEventAt
        self.incident = incident
        self.messageChannel = messageChannel
        self.messageTS = messageTS
        self.triggeredAt = triggeredAt
        self.acknowledgedAt = acknowledgedAt
        self.resolvedAt = resolvedAt
        self.reportAt = reportAt
        self.events = events
    }
}

extension HybridStore {
    package func incident(id: String) async throws -> StoredIncident? {
        try await withDatabase { db in try Self.readIncident(id, db) }
    }

    /// Every tracked incident, most recently triggered first (for `incident report #N` and listings).
    package func incidents(limit: Int = 500) async throws -> [StoredIncident] {
        try await withDatabase { db in
            try db.query("SELECT * FROM incidents ORDER BY triggered_at DESC, id LIMIT ?", [.integer(Int64(limit))]).map(Self.incident(from:))
        }
    }

    /// Read, decide and write in one transaction: `change` gets the stored row (nil when new) and returns what to
    /// store, or nil to leave it as it is. Returns the row as stored afterwards.
    @discardableResult
    package func updateIncident(id: String, _ change: @escaping @Sendable (StoredIncident?) -> StoredIncident?) async throws -> StoredIncident? {
        try await write { db in
            try db.transaction { db in
                let old = try Self.readIncident(id, db)
                guard var new = change(old) else { return old }
                new.id = id
                try Self.writeIncident(new, db)
                return new
            }
        }
    }

    /// Remembers the Slack message that shows the incident (so later events update it in place).
    package func setIncidentMessage(id: String, channel: String, ts: String) async throws {
        try await write { db in
            try db.execute("UPDATE incidents SET message_channel = ?, message_ts = ? WHERE id = ?", [.text(channel), .text(ts), .text(id)])
        }
    }

    /// Records that a post-incident report was generated (stops the 24 h reminder).
    package func markIncidentReported(id: String) async throws {
        let at = now()
        try await write { db in
            try db.execute("UPDATE incidents SET report_at = ? WHERE id = ?", [.text(at), .text(id)])
        }
    }

    static func writeIncident(_ new: StoredIncident, _ db: SQLiteDatabase) throws {
        try db.execute(
            """
            INSERT INTO incidents (id, state, last_event_at, incident, message_channel, message_ts, triggered_at,
                acknowledged_at, resolved_at, report_at, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET state = excluded.state, last_event_at = excluded.last_event_at,
                incident = excluded.incident, message_channel = excluded.message_channel, message_ts = excluded.message_ts,
                triggered_at = excluded.triggered_at, acknowledged_at = excluded.acknowledged_at,
                resolved_at = excluded.resolved_at, report_at = excluded.report_at, events = excluded.events
            """,
            [.text(new.id), .text(new.state), .text(new.lastEventAt), .text(new.incident), incidentValue(new.messageChannel),
             incidentValue(new.messageTS), incidentValue(new.triggeredAt), incidentValue(new.acknowledgedAt),
             incidentValue(new.resolvedAt), incidentValue(new.reportAt), .text(new.events)])
    }

    static func readIncident(_ id: String, _ db: SQLiteDatabase) throws -> StoredIncident? {
        try db.query("SELECT * FROM incidents WHERE id = ?", [.text(id)]).first.map(incident(from:))
    }

    private static func incidentValue(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }

    private static func incident(from row: SQLiteRow) -> StoredIncident {
        StoredIncident(
            id: row["id"].string ?? "", state: row["state"].string ?? "", lastEventAt: row["last_event_at"].string ?? "",
            incident: row["incident"].string ?? "{}", messageChannel: row["message_channel"].string, messageTS: row["message_ts"].string,
            triggeredAt: row["triggered_at"].string, acknowledgedAt: row["acknowledged_at"].string,
            resolvedAt: row["resolved_at"].string, reportAt: row["report_at"].string, events: row["events"].string ?? "[]")
    }
}
