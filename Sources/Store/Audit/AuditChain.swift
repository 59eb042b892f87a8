import Foundation
import SQLiteDriver

/// Appending to and checking the hash chain. Runs on the store's single connection thread, inside a transaction.
enum AuditChain {
    static func append(_ entry: AuditEntry, at: String, redact: (String) -> String, in db: SQLiteDatabase) throws -> AuditRecord {
        let last = try db.query("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").first
        let previousID = last?["id"].int ?? 0
        let entry = entry.redacted(redact)
        var record = AuditRecord(
            id: previousID + 1, at: at, kind: entry.kind, user: entry.user, channel: entry.channel, command: entry.command,
            outcome: entry.outcome, detail: .object(entry.detail), hash: "", prevHash: last?["hash"].string ?? AuditRecord.genesisHash)
        record.hash = try record.computedHash()
        try db.execute(
            "INSERT INTO audit (id, at, kind, user, channel, command, outcome, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [.integer(record.id), .text(record.at), .text(record.kind), optional(record.user), optional(record.channel),
             optional(record.command), optional(record.outcome), .text(try JSONValue.canonicalString(record.detail)),
             .text(record.prevHash), .text(record.hash)])
        return record
    }

    static func records(in db: SQLiteDatabase, where clause: String = "", binds: [SQLiteValue] = []) throws -> [AuditRecord] {
        try db.query("SELECT * FROM audit \(clause) ORDER BY id", binds).map(record(from:))
    }

    static func record(from row: SQLiteRow) throws -> AuditRecord {
        let detailText = row["detail"].string ?? "{}"
        let detail = (try? JSONDecoder().decode(JSONValue.self, from: Data(detailText.utf8))) ?? .string(detailText)
        return AuditRecord(
            id: row["id"].int ?? 0, at: row["at"].string ?? "", kind: row["kind"].string ?? "",
            user: row["user"].string, channel: row["channel"].string, command: row["command"].string,
            outcome: row["outcome"].string, detail: detail, hash: row["hash"].string ?? "",
            prevHash: row["prev_hash"].string ?? "")
    }

    /// Recomputes every hash and link, in id order; ids must be consecutive from 1.
    static func verify(in db: SQLiteDatabase) throws -> AuditVerification {
        var previousHash = AuditRecord.genesisHash
        var expectedID: Int64 = 1
        var checked = 0
        for row in try db.query("SELECT * FROM audit ORDER BY id") {
            let record = try record(from: row)
            // The stored detail text must be exactly the canonical form that was hashed.
            let canonicalDetail = try JSONValue.canonicalString(record.detail)
            if record.id != expectedID {
                return .broken(recordID: record.id, reason: "record \(expectedID) is missing", checked: checked)
            }
            if record.prevHash != previousHash {
                return .broken(recordID: record.id, reason: "prev_hash does not match the hash of record \(record.id - 1)", checked: checked)
            }
            let recomputed = try record.computedHash()
            if canonicalDetail != row["detail"].string || recomputed != record.hash {
                return .broken(recordID: record.id, reason: "content does not match its hash", checked: checked)
            }
            previousHash = record.hash
            expectedID += 1
            checked += 1
        }
        return .intact(records: checked)
    }

    private static func optional(_ s: String?) -> SQLiteValue {
        s.map { .text($0) } ?? .null
    }
}
