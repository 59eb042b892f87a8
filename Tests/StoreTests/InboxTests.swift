import BotCore
import Foundation
import Store
import Testing

@Suite("Inbox deliveries")
struct InboxTests {
    @Test("the same key twice: stored, then duplicate; its audit entry is written once with delivery_id")
    func storeTwice() async throws {
        try await withStore { store, _ in
            let entry = AuditEntry(kind: "delivery", user: "U1", channel: "C1", command: "/hybrid status", detail: ["source": "slack"])
            let first = try await store.storeDelivery(kind: "slack.command", key: "trigger-1", payload: "text=status", audit: entry)
            guard case .stored(let delivery) = first else {
                Issue.record("first store: \(first)")
                return
            }
            #expect(delivery.kind == "slack.command")
            #expect(delivery.idempotencyKey == "trigger-1")
            #expect(delivery.payload == "text=status")
            #expect(delivery.receivedAt == "2023-11-14T22:13:20.000Z")

            let second = try await store.storeDelivery(kind: "slack.command", key: "trigger-1", payload: "text=other", audit: entry)
            #expect(second == .duplicate(id: delivery.id))

            let audit = try await store.auditRecords()
            #expect(audit.count == 1)
            let record = try #require(audit.first)
            #expect(record.detail["delivery_id"] == .int(Int(delivery.id)))
            #expect(record.detail["source"] == "slack")
            #expect(record.user == "U1")
            #expect(try await store.verifyAudit() == .intact(records: 1))

            // The redelivery did not overwrite the stored payload.
            #expect(try await store.pendingDeliveries() == [delivery])
        }
    }

    @Test("storing without an audit entry writes no audit record; distinct keys get distinct ids")
    func noAuditEntry() async throws {
        try await withStore { store, _ in
            let a = try await store.storeDelivery(kind: "k", key: "a", payload: "1")
            let b = try await store.storeDelivery(kind: "k", key: "b", payload: "2")
            guard case .stored(let da) = a, case .stored(let db) = b else {
                Issue.record("\(a) \(b)")
                return
            }
            #expect(da.id != db.id)
            #expect(try await store.auditRecords().isEmpty)
        }
    }

    @Test("50 concurrent deliveries of one key: exactly one is stored")
    func concurrentSameKey() async throws {
        try await withStore { store, _ in
            let results = try await withThrowingTaskGroup(of: DeliveryStoreResult.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        try await store.storeDelivery(
                            kind: "slack.command", key: "same-trigger", payload: "attempt \(i)",
                            audit: AuditEntry(kind: "delivery", detail: ["attempt": .int(i)]))
                    }
                }
                var all: [DeliveryStoreResult] = []
                for try await r in group { all.append(r) }
                return all
            }
            #expect(results.count == 50)
            let stored = results.compactMap { r -> StoredDelivery? in
                if case .stored(let d) = r { return d }
                return nil
            }
            try #require(stored.count == 1)
            let id = stored[0].id
            #expect(results.filter { $0 == .duplicate(id: id) }.count == 49)
            #expect(try await store.pendingDeliveries() == stored)
            let audit = try await store.auditRecords()
            #expect(audit.count == 1)
            #expect(audit.first?.detail["delivery_id"] == .int(Int(id)))
            #expect(try await store.verifyAudit() == .intact(records: 1))
        }
    }

    @Test("pending deliveries come back in order; done ones disappear; both survive a restart")
    func pendingAndDurable() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/nested/inbox.sqlite"
            var store = try await HybridStore.open(path: path)
            var ids: [String: Int64] = [:]
            for key in ["k1", "k2", "k3", "k4"] {
                guard case .stored(let d) = try await store.storeDelivery(kind: "slack.command", key: key, payload: "payload-\(key)") else {
                    Issue.record("\(key) not stored")
                    await store.close()
                    return
                }
                ids[key] = d.id
            }
            #expect(try await store.pendingDeliveries().map(\.idempotencyKey) == ["k1", "k2", "k3", "k4"])
            #expect(try await store.ackDelivery(id: try #require(ids["k2"])))
            #expect(try await store.pendingDeliveries().map(\.idempotencyKey) == ["k1", "k3", "k4"])
            await store.close()

            store = try await HybridStore.open(path: path)
            let pending = try await store.pendingDeliveries()
            #expect(pending.map(\.idempotencyKey) == ["k1", "k3", "k4"])
            #expect(pending.map(\.payload) == ["payload-k1", "payload-k3", "payload-k4"])
            #expect(pending.map(\.id) == [ids["k1"], ids["k3"], ids["k4"]].compactMap { $0 })
            // Idempotency is durable too: a redelivery after the restart is a duplicate, done or not.
            #expect(try await store.storeDelivery(kind: "slack.command", key: "k2", payload: "again") == .duplicate(id: ids["k2"]!))
            #expect(try await store.storeDelivery(kind: "slack.command", key: "k3", payload: "again") == .duplicate(id: ids["k3"]!))
            #expect(try await store.ackDelivery(id: ids["k1"]!))
            #expect(try await store.ackDelivery(id: ids["k4"]!))
            #expect(try await store.pendingDeliveries().map(\.idempotencyKey) == ["k3"])
            await store.close()
        }
    }
}

@Suite("Execution claims")
struct ExecutionClaimTests {
    @Test("claim, finish, then the finished result is handed back")
    func claimFinish() async throws {
        try await withStore { store, _ in
            #expect(try await store.claimExecution(key: "exec-1", deliveryID: 1) == .claimed)
            try await store.finishExecution(key: "exec-1", result: "scaled api to 3")
            #expect(try await store.claimExecution(key: "exec-1", deliveryID: 1) == .finished(result: "scaled api to 3"))
            #expect(try await store.claimExecution(key: "exec-1", deliveryID: nil) == .finished(result: "scaled api to 3"))
            #expect(try await store.claimExecution(key: "exec-2", deliveryID: nil) == .claimed, "keys are independent")
        }
    }

    @Test("started but never finished: interrupted, stably, even if a late finish arrives")
    func interrupted() async throws {
        let clock = TestClock()
        try await withStore(clock: clock) { store, _ in
            #expect(try await store.claimExecution(key: "exec-1", deliveryID: 7) == .claimed)
            clock.advance(60)
            #expect(try await store.claimExecution(key: "exec-1", deliveryID: 7) == .interrupted(startedAt: "2023-11-14T22:13:20.000Z", firstReport: true))
            // Later claims say the same, but it is no longer theirs to report (audit) again.
            let expected = ExecutionClaim.interrupted(startedAt: "2023-11-14T22:13:20.000Z", firstReport: false)
            clock.advance(60)
            #expect(try await store.claimExecution(key: "exec-1", deliveryID: 7) == expected)
            try await store.finishExecution(key: "exec-1", result: "late")
            #expect(try await store.claimExecution(key: "exec-1", deliveryID: 7) == expected)
        }
    }

    @Test("an execution that was running when the process stopped is interrupted after a restart")
    func interruptedAcrossRestart() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/exec.sqlite"
            var store = try await HybridStore.open(path: path, clock: TestClock().read)
            #expect(try await store.claimExecution(key: "exec-1", deliveryID: nil) == .claimed)
            #expect(try await store.claimExecution(key: "exec-2", deliveryID: nil) == .claimed)
            try await store.finishExecution(key: "exec-2", result: "ok")
            await store.close()
            store = try await HybridStore.open(path: path)
            #expect(try await store.claimExecution(key: "exec-1", deliveryID: nil) == .interrupted(startedAt: "2023-11-14T22:13:20.000Z", firstReport: true))
            #expect(try await store.claimExecution(key: "exec-2", deliveryID: nil) == .finished(result: "ok"))
            await store.close()
        }
    }

    @Test("results are redacted before they are stored")
    func redactedResult() async throws {
        try await withStore(redactor: SecretRedactor(secrets: ["hunter2-secret"])) { store, _ in
            #expect(try await store.claimExecution(key: "exec-1", deliveryID: nil) == .claimed)
            try await store.finishExecution(key: "exec-1", result: "connected with hunter2-secret using xoxb-1234567890-abcdefghij")
            let claim = try await store.claimExecution(key: "exec-1", deliveryID: nil)
            guard case .finished(let result) = claim else {
                Issue.record("\(claim)")
                return
            }
            #expect(!result.contains("hunter2-secret"))
            #expect(!result.contains("xoxb-"))
            #expect(result.contains(SecretRedactor.mask))
            #expect(result.hasPrefix("connected with "))
        }
    }
}

@Suite("Secret redaction at rest")
struct RedactionAtRestTests {
    static let secret = "hunter2-secret"
    static let slackToken = "xoxb-1234567890-abcdefghijkl"

    @Test("neither a configured secret nor a Slack token reaches the database or WAL file")
    func secretsNeverStored() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/secret.sqlite"
            let store = try await HybridStore.open(path: path, redactor: SecretRedactor(secrets: [Self.secret]))
            let record = try await store.append(AuditEntry(
                kind: "command", user: "U1", channel: "C1",
                command: "/hybrid db login --password \(Self.secret)", outcome: "failed for \(Self.secret)",
                detail: [
                    "note": .string("token \(Self.slackToken) leaked"),
                    "nested": .object(["list": .array([.string(Self.secret), .string("x \(Self.slackToken)")])]),
                ]))
            _ = try await store.storeDelivery(
                kind: "slack.command", key: "t-1", payload: "text=status",
                audit: AuditEntry(kind: "delivery", command: "with \(Self.secret)", detail: ["raw": .string(Self.slackToken)]))
            _ = try await store.claimExecution(key: "e-1", deliveryID: nil)
            try await store.finishExecution(key: "e-1", result: "done \(Self.secret) \(Self.slackToken)")

            #expect(record.command?.contains(SecretRedactor.mask) == true)
            #expect(record.detail["note"]?.stringValue?.contains(SecretRedactor.mask) == true)
            #expect(try await store.verifyAudit() == .intact(records: 2), "the chain covers the redacted text")
            for r in try await store.auditRecords() {
                let json = try JSONValue.canonicalString(r.detail) + (r.command ?? "") + (r.outcome ?? "")
                #expect(!json.contains(Self.secret))
                #expect(!json.contains("xoxb-"))
            }

            // While open, recent writes live in the WAL: check every file SQLite keeps.
            try Self.expectClean(dir: dir, path: path)
            await store.close()
            try Self.expectClean(dir: dir, path: path)
        }
    }

    static func expectClean(dir: String, path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let main = try #require(fileBytes(path), sourceLocation: sourceLocation)
        #expect(!main.isEmpty, sourceLocation: sourceLocation)
        var files = [path: main]
        for suffix in ["-wal", "-shm", "-journal"] {
            if let data = fileBytes(path + suffix) { files[path + suffix] = data }
        }
        for (file, data) in files {
            #expect(data.range(of: Data(secret.utf8)) == nil, "\(file) contains the secret", sourceLocation: sourceLocation)
            #expect(data.range(of: Data(slackToken.utf8)) == nil, "\(file) contains the token", sourceLocation: sourceLocation)
            #expect(data.range(of: Data("xoxb-".utf8)) == nil, "\(file) contains a token prefix", sourceLocation: sourceLocation)
        }
    }

    @Test("the raw-bytes check itself can see unredacted text (control)")
    func controlWithoutRedactor() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/control.sqlite"
            let store = try await HybridStore.open(path: path)
            try await store.append(AuditEntry(kind: "command", command: "say \(Self.secret)"))
            var all = Data()
            for suffix in ["", "-wal"] { all.append(fileBytes(path + suffix) ?? Data()) }
            #expect(all.range(of: Data(Self.secret.utf8)) != nil)
            await store.close()
        }
    }
}

@Suite("Opening existing stores")
struct OpenExistingTests {
    @Test("a missing path throws and creates nothing")
    func missingPath() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/absent/hybridbot.sqlite"
            await #expect(throws: (any Error).self) { _ = try await HybridStore.openExisting(path: path) }
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(!FileManager.default.fileExists(atPath: dir + "/absent"))

            let flat = dir + "/hybridbot.sqlite"
            do {
                _ = try await HybridStore.openExisting(path: flat)
                Issue.record("opened a missing file")
            } catch let error as HybridStore.Failure {
                #expect(error.description.contains(flat))
                #expect(error.description.contains("HYBRIDBOT_DB"))
            }
            #expect(!FileManager.default.fileExists(atPath: flat))
        }
    }

    @Test("opened read-only it reads and verifies but cannot write")
    func readOnly() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/hybridbot.sqlite"
            let writer = try await HybridStore.open(path: path)
            try await writer.appendNumbered(2)
            await writer.close()

            let reader = try await HybridStore.openExisting(path: path)
            #expect(try await reader.auditRecords().count == 2)
            #expect(try await reader.verifyAudit() == .intact(records: 2))
            await #expect(throws: (any Error).self) { try await reader.append(AuditEntry(kind: "forged")) }
            await #expect(throws: (any Error).self) {
                _ = try await reader.storeDelivery(kind: "k", key: "x", payload: "p")
            }
            await #expect(throws: (any Error).self) { _ = try await reader.claimExecution(key: "x", deliveryID: nil) }
            await reader.close()

            let again = try await HybridStore.open(path: path)
            #expect(await again.isWritable())
            #expect(try await again.auditRecords().count == 2)
            #expect(try await again.verifyAudit() == .intact(records: 2))
            await again.close()
        }
    }

    @Test("the readiness probe reports a read-only store as not writable")
    func readOnlyIsNotWritable() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/hybridbot.sqlite"
            let writer = try await HybridStore.open(path: path)
            #expect(await writer.isWritable())
            await writer.close()
            let reader = try await HybridStore.openExisting(path: path)
            let writable = await reader.isWritable()
            await reader.close()
            // SQLite accepts BEGIN IMMEDIATE on a read-only connection; only an actual write statement fails.
            #expect(writable == false)
        }
    }

    @Test("a closed store refuses work")
    func closedStore() async throws {
        try await withTemporaryDirectory { dir in
            let store = try await HybridStore.open(path: dir + "/x.sqlite")
            await store.close()
            await #expect(throws: (any Error).self) { try await store.append(AuditEntry(kind: "late")) }
        }
    }
}
