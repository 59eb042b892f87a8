import BotCore
import Foundation
import Store
import Testing

@Suite("Audit hash chain")
struct AuditChainTests {
    @Test("an empty store verifies as intact with zero records")
    func emptyStore() async throws {
        try await withStore { store, _ in
            let verification = try await store.verifyAudit()
            let records = try await store.auditRecords()
            #expect(verification == .intact(records: 0))
            #expect(records.isEmpty)
        }
    }

    @Test("N appended records verify intact and chain correctly", arguments: [1, 2, 7, 40])
    func appendAndVerify(count: Int) async throws {
        try await withStore { store, _ in
            let appended = try await store.appendNumbered(count)
            #expect(try await store.verifyAudit() == .intact(records: count))

            let stored = try await store.auditRecords()
            #expect(stored == appended, "what append returned is what was stored")
            #expect(stored.map(\.id) == (1...Int64(count)).map { $0 })
            let first = try #require(stored.first)
            #expect(first.prevHash == AuditRecord.genesisHash)
            #expect(AuditRecord.genesisHash == String(repeating: "0", count: 64))
            for (previous, next) in zip(stored, stored.dropFirst()) {
                #expect(next.prevHash == previous.hash, "record \(next.id) links to \(previous.id)")
            }
            for record in stored {
                #expect(record.hash.count == 64)
                #expect(record.hash.allSatisfy { "0123456789abcdef".contains($0) })
                #expect(try record.computedHash() == record.hash)
            }
            #expect(Set(stored.map(\.hash)).count == count, "hashes are distinct")
        }
    }

    @Test("records keep their fields; the hash covers them")
    func recordFields() async throws {
        try await withStore { store, _ in
            let record = try await store.append(AuditEntry(
                kind: "command", user: "U2CERLKJA", channel: "C0123", command: "/hybrid scale api 3", outcome: "denied",
                detail: ["reason": "not in group", "replicas": 3, "ratio": .double(0.5), "dry": .bool(true), "none": .null]))
            #expect(record.id == 1)
            #expect(record.at == "2023-11-14T22:13:20.000Z")
            #expect(record.kind == "command")
            #expect(record.user == "U2CERLKJA")
            #expect(record.outcome == "denied")
            #expect(record.detail["replicas"] == .int(3))
            #expect(record.detail["none"] == .null)
            var forged = record
            forged.outcome = "ok"
            #expect(try forged.computedHash() != record.hash)
            forged = record
            forged.detail = .object(["reason": "not in group"])
            #expect(try forged.computedHash() != record.hash)
            #expect(try await store.verifyAudit() == .intact(records: 1))
        }
    }

    @Test("details with awkward JSON values still verify", arguments: [
        ["whole": JSONValue.double(1.0)] as [String: JSONValue],
        ["half": .double(0.5)],
        ["big": .double(1e300)],
        ["tiny": .double(-2.5e-8)],
        ["max": .int(Int.max), "min": .int(Int.min)],
        ["text": .string("line\nbreak \"quoted\" \\ / é 🚀 \u{0} <tag>")],
        ["nested": .object(["b": .array([.null, .bool(false), .object([:])]), "a": .array([])])],
        ["empty": .string("")],
    ])
    func awkwardDetails(detail: [String: JSONValue]) async throws {
        try await withStore { store, _ in
            try await store.append(AuditEntry(kind: "test", detail: detail))
            try await store.append(AuditEntry(kind: "test", detail: ["after": 1]))
            #expect(try await store.verifyAudit() == .intact(records: 2))
        }
    }

    @Test("the append-only triggers refuse UPDATE and DELETE", arguments: [
        "UPDATE audit SET outcome = 'ok' WHERE id = 2",
        "UPDATE audit SET hash = prev_hash",
        "DELETE FROM audit WHERE id = 2",
        "DELETE FROM audit",
    ])
    func triggersRefuseTampering(sql: String) async throws {
        try await withStore { store, _ in
            let before = try await store.appendNumbered(3)
            await #expect(throws: (any Error).self) { try await store.unsafeExecuteScript(sql) }
            #expect(try await store.auditRecords() == before)
            #expect(try await store.verifyAudit() == .intact(records: 3))
        }
    }

    enum Tamper: String, CaseIterable, Sendable {
        case changeOutcome, nullOutcome, changeUser, changeCommand, changeAt, changeKind
        case changeDetailValue, changeDetailKey, reformatDetail, invalidDetail
        case deleteMiddle, deleteFirst, swapHashes, changePrevHash, rewriteWithRecomputedHash, appendForgedRecord
        case renumber
    }

    /// Five records; tampering aims at record 3. Expected: the record verify reports, and how many passed before it.
    static let tamperings: [(Tamper, Int64, Int)] = [
        (.changeOutcome, 3, 2), (.nullOutcome, 3, 2), (.changeUser, 3, 2), (.changeCommand, 3, 2), (.changeAt, 3, 2),
        (.changeKind, 3, 2), (.changeDetailValue, 3, 2), (.changeDetailKey, 3, 2), (.reformatDetail, 3, 2),
        (.invalidDetail, 3, 2), (.deleteMiddle, 4, 2), (.deleteFirst, 2, 0), (.swapHashes, 2, 1), (.changePrevHash, 3, 2),
        (.rewriteWithRecomputedHash, 4, 3), (.appendForgedRecord, 6, 5), (.renumber, 5, 3),
    ]

    @Test("tampering is detected at the right record", arguments: tamperings)
    func tamperingDetected(tamper: Tamper, brokenAt expectedID: Int64, checkedBefore: Int) async throws {
        try await withStore { store, _ in
            let records = try await store.appendNumbered(5)
            #expect(try await store.verifyAudit() == .intact(records: 5))
            try await store.unsafeExecuteScript("DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete;")

            let sql: String
            switch tamper {
            case .changeOutcome: sql = "UPDATE audit SET outcome = 'denied' WHERE id = 3"
            case .nullOutcome: sql = "UPDATE audit SET outcome = NULL WHERE id = 3"
            case .changeUser: sql = "UPDATE audit SET user = 'U666' WHERE id = 3"
            case .changeCommand: sql = "UPDATE audit SET command = '/hybrid status 33' WHERE id = 3"
            case .changeAt: sql = "UPDATE audit SET at = '2023-11-14T22:13:21.000Z' WHERE id = 3"
            case .changeKind: sql = "UPDATE audit SET kind = 'approval' WHERE id = 3"
            case .changeDetailValue: sql = #"UPDATE audit SET detail = '{"args":["status",3],"n":4}' WHERE id = 3"#
            case .changeDetailKey: sql = #"UPDATE audit SET detail = '{"args":["status",3],"m":3}' WHERE id = 3"#
            case .reformatDetail: sql = #"UPDATE audit SET detail = '{"n":3,"args":["status",3]}' WHERE id = 3"#
            case .invalidDetail: sql = #"UPDATE audit SET detail = '{"n":' WHERE id = 3"#
            case .deleteMiddle: sql = "DELETE FROM audit WHERE id = 3"
            case .deleteFirst: sql = "DELETE FROM audit WHERE id = 1"
            case .swapHashes:
                sql = """
                    UPDATE audit SET hash = '\(records[2].hash)' WHERE id = 2;
                    UPDATE audit SET hash = '\(records[1].hash)' WHERE id = 3;
                    """
            case .changePrevHash: sql = "UPDATE audit SET prev_hash = '\(records[0].hash)' WHERE id = 3"
            case .rewriteWithRecomputedHash:
                var forged = records[2]
                forged.outcome = "denied"
                sql = "UPDATE audit SET outcome = 'denied', hash = '\(try forged.computedHash())' WHERE id = 3"
            case .appendForgedRecord:
                sql = """
                    INSERT INTO audit (id, at, kind, user, channel, command, outcome, detail, prev_hash, hash)
                    VALUES (6, '2023-11-14T22:13:20.000Z', 'command', 'U1', 'C1', '/hybrid x', 'ok', '{}',
                            '\(records[4].hash)', '\(String(repeating: "a", count: 64))')
                    """
            case .renumber: sql = "UPDATE audit SET id = 40 WHERE id = 4"
            }
            try await store.unsafeExecuteScript(sql)

            let verification = try await store.verifyAudit()
            guard case .broken(let recordID, let reason, let checked) = verification else {
                Issue.record("\(tamper): expected a broken chain, got \(verification)")
                return
            }
            #expect(recordID == expectedID, "\(tamper): \(reason)")
            #expect(checked == checkedBefore, "\(tamper): \(checked) records checked before the break")
            #expect(!reason.isEmpty)
        }
    }

    @Test("a missing record is named in the reason")
    func missingRecordReason() async throws {
        try await withStore { store, _ in
            try await store.appendNumbered(5)
            try await store.unsafeExecuteScript("DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE id = 3;")
            #expect(try await store.verifyAudit() == .broken(recordID: 4, reason: "record 3 is missing", checked: 2))
        }
    }

    @Test("appending after reopening continues the chain")
    func chainContinuesAcrossRestart() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/audit.sqlite"
            var store = try await HybridStore.open(path: path)
            try await store.appendNumbered(3)
            await store.close()
            store = try await HybridStore.open(path: path)
            let fourth = try await store.append(AuditEntry(kind: "command", detail: ["n": 4]))
            let all = try await store.auditRecords()
            await store.close()
            #expect(fourth.id == 4)
            #expect(fourth.prevHash == all[2].hash)
            #expect(all.count == 4)
        }
    }

    @Test("auditRecords filters by time and user", arguments: [
        (nil, nil, [1, 2, 3, 4]),
        ("2023-11-14T22:13:20.000Z", nil, [1, 2, 3, 4]),
        ("2023-11-14T23:13:20.000Z", nil, [2, 3, 4]),
        ("2023-11-15", nil, [3, 4]),
        ("2023-11-15T22:13:20.001Z", nil, [4]),
        ("2099-01-01T00:00:00.000Z", nil, []),
        (nil, "U1", [1, 3]),
        (nil, "U2", [2, 4]),
        (nil, "U3", []),
        (nil, "U1' OR '1'='1", []),
        ("2023-11-14T23:13:20.000Z", "U1", [3]),
        ("2023-11-15", "U2", [4]),
    ] as [(String?, String?, [Int64])])
    func filters(sinceAt: String?, user: String?, expected: [Int64]) async throws {
        let clock = TestClock()
        try await withStore(clock: clock) { store, _ in
            // 22:13:20 U1, 23:13:20 U2, next day 22:13:20 U1, +1 s U2.
            try await store.append(AuditEntry(kind: "command", user: "U1"))
            clock.advance(3600)
            try await store.append(AuditEntry(kind: "command", user: "U2"))
            clock.advance(82_800)
            try await store.append(AuditEntry(kind: "command", user: "U1"))
            clock.advance(1)
            try await store.append(AuditEntry(kind: "command", user: "U2"))
            let found = try await store.auditRecords(sinceAt: sinceAt, user: user)
            #expect(found.map(\.id) == expected)
        }
    }
}

@Suite("Timestamp")
struct TimestampTests {
    @Test("RFC 3339 in UTC with milliseconds")
    func format() {
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: 1_700_000_000)) == "2023-11-14T22:13:20.000Z")
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: 0.25)) == "1970-01-01T00:00:00.250Z")
    }

    @Test("parses what it formats, plain seconds and bare dates", arguments: [
        ("2023-11-14T22:13:20.000Z", 1_700_000_000.0),
        ("2023-11-14T22:13:20Z", 1_700_000_000.0),
        ("2023-11-14T23:13:20+01:00", 1_700_000_000.0),
        ("2023-11-14", 1_699_920_000.0),
    ])
    func parse(_ text: String, _ seconds: Double) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(date.timeIntervalSince1970 == seconds)
    }

    @Test("rejects non-dates", arguments: ["", "yesterday", "2023-13-45", "1700000000"])
    func rejects(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("formatted timestamps sort as text")
    func sortsAsText() {
        let dates = [0.0, 0.5, 9.999, 10, 1_700_000_000, 1_700_000_000.001].map { Date(timeIntervalSince1970: $0) }
        let texts = dates.map(Timestamp.rfc3339)
        #expect(texts == texts.sorted())
    }
}

@Suite("JSONValue")
struct JSONValueTests {
    @Test("canonical encoding does not depend on insertion order")
    func keyOrderIndependent() throws {
        let keys = (0..<40).map { "key\($0)" }
        var forward: [String: JSONValue] = [:]
        for (i, k) in keys.enumerated() { forward[k] = .int(i) }
        var backward: [String: JSONValue] = [:]
        backward.reserveCapacity(512)
        for (i, k) in keys.enumerated().reversed() { backward[k] = .int(i) }
        #expect(forward == backward)

        let a = JSONValue.object(["z": .object(forward), "a": .array([.object(backward)])])
        let b = JSONValue.object(["a": .array([.object(forward)]), "z": .object(backward)])
        #expect(try JSONValue.canonicalString(a) == JSONValue.canonicalString(b))
        #expect(try JSONValue.canonicalData(a) == JSONValue.canonicalData(b))
    }

    @Test("canonical form: sorted keys, unescaped slashes, no whitespace")
    func canonicalShape() throws {
        let value = JSONValue.object([
            "b": .array([.bool(true), .null, "x"]), "a": 1, "c": .object(["z": "/path/to", "y": 2]),
        ])
        #expect(try JSONValue.canonicalString(value) == #"{"a":1,"b":[true,null,"x"],"c":{"y":2,"z":"/path/to"}}"#)
    }

    @Test("decoding picks the natural case", arguments: [
        ("1", JSONValue.int(1)), ("-7", .int(-7)), ("1.5", .double(1.5)), ("true", .bool(true)), ("false", .bool(false)),
        ("null", .null), (#""s""#, .string("s")), ("[1,\"a\"]", .array([1, "a"])), (#"{"k":{}}"#, .object(["k": .object([:])])),
    ])
    func decodes(_ json: String, _ expected: JSONValue) throws {
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) == expected)
    }

    @Test("decode then canonical-encode normalizes formatting")
    func normalizes() throws {
        let messy = #"{ "b" : [ 1 , 2 ], "a" : { "d" : null , "c" : "x" } }"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(messy.utf8))
        #expect(try JSONValue.canonicalString(value) == #"{"a":{"c":"x","d":null},"b":[1,2]}"#)
    }

    @Test("mapStrings transforms values, not keys")
    func mapStrings() {
        let value = JSONValue.object(["secret": "secret", "list": .array(["secret", 1, .null]), "n": 5])
        let mapped = value.mapStrings { $0.uppercased() }
        #expect(mapped == .object(["secret": "SECRET", "list": .array(["SECRET", 1, .null]), "n": 5]))
        #expect(mapped["secret"]?.stringValue == "SECRET")
        #expect(JSONValue.int(1)["x"] == nil)
    }
}
