import BotCore
import Crypto
import Foundation

/// What a caller wants recorded. `HybridStore.append` redacts, numbers, timestamps and chains it.
package struct AuditEntry: Sendable, Equatable, Codable {
    package var kind: String
    package var user: String?
    package var channel: String?
    package var command: String?
    package var outcome: String?
    package var detail: [String: JSONValue]

    package init(
        kind: String, user: String? = nil, channel: String? = nil, command: String? = nil, outcome: String? = nil,
        detail: [String: JSONValue] = [:]
    ) {
        self.kind = kind
        self.user = user
        self.channel = channel
        self.command = command
        self.outcome = outcome
        self.detail = detail
    }
}

extension AuditEntry {
    /// Every text field with `redact` applied (the detail's strings at any depth, keys untouched). The store applies its
    /// own redactor on append; a core behind a relay applies its own first, since only it knows its credentials.
    package func redacted(_ redact: (String) -> String) -> AuditEntry {
        AuditEntry(
            kind: kind, user: user.map(redact), channel: channel.map(redact), command: command.map(redact),
            outcome: outcome.map(redact), detail: detail.mapValues { $0.mapStrings(redact) })
    }
}

/// One row of the audit as stored: the fields of contract.md, in `audit list --json` form.
package struct AuditRecord: Codable, Sendable, Equatable {
    package var id: Int64
    package var at: String
    package var kind: String
    package var user: String?
    package var channel: String?
    package var command: String?
    package var outcome: String?
    package var detail: JSONValue
    package var hash: String
    package var prevHash: String

    enum CodingKeys: String, CodingKey {
        case id, at, kind, user, channel, command, outcome, detail, hash, prevHash = "prev_hash"
    }

    package static let genesisHash = String(repeating: "0", count: 64)

    /// The bytes the hash covers: every field but `hash`, as canonical JSON (sorted keys, nulls explicit).
    package func canonicalContent() throws -> Data {
        let content: [String: JSONValue] = [
            "id": .int(Int(id)), "at": .string(at), "kind": .string(kind),
            "user": user.map(JSONValue.string) ?? .null, "channel": channel.map(JSONValue.string) ?? .null,
            "command": command.map(JSONValue.string) ?? .null, "outcome": outcome.map(JSONValue.string) ?? .null,
            "detail": detail, "prev_hash": .string(prevHash),
        ]
        return try JSONValue.canonicalData(content)
    }

    package func computedHash() throws -> String {
        Hex.encode(SHA256.hash(data: try canonicalContent()))
    }
}

/// The outcome of `audit verify`.
package enum AuditVerification: Sendable, Equatable {
    case intact(records: Int)
    case broken(recordID: Int64, reason: String, checked: Int)
}
