import Foundation
import RedisDriver
import RedisInbox
import Store
import TestSupport
import Testing

/// Storing: dedupe by idempotency key, ids, the audit record, repairs, durability check, error texts.
@Suite struct RedisInboxStoreTests {
    @Test func aRedeliveredKeyIsADuplicateWithTheSameID() async throws {
        try await withInbox { url, inbox in
            let first = try await inbox.store(kind: "slack", key: "evt-1", payload: #"{"a":1}"#, audit: nil)
            guard case .stored(let delivery) = first else {
                Issue.record("expected stored, got \(first)")
                return
            }
            #expect(delivery.id == 1)
            #expect(delivery.kind == "slack" && delivery.idempotencyKey == "evt-1" && delivery.payload == #"{"a":1}"#)
            #expect(!delivery.receivedAt.isEmpty)
            let again = try await inbox.store(kind: "slack", key: "evt-1", payload: "changed", audit: nil)
            #expect(again == .duplicate(id: 1))

            // Another relay on the same Redis sees the same key.
            let otherRelay = RedisStreamInbox(url: url)
            let fromOther = try await otherRelay.store(kind: "slack", key: "evt-1", payload: "x", audit: nil)
            #expect(fromOther == .duplicate(id: 1))
            let next = try await otherRelay.storeNew("evt-2")
            #expect(next?.id == 2)
            await otherRelay.close()

            // The dedupe key expires (PagerDuty retries for 48 h; the default window is 7 days).
            let client = RedisClient(url: url)
            let ttl = try await client.checkedCommand(["TTL", "hybridbot:inbox:key:evt-1"]).int ?? -1
            #expect(ttl > 6 * 24 * 3600 && ttl <= 7 * 24 * 3600)
            await client.close()
        }
    }

    @Test func payloadsRoundTripByteForByte() async throws {
        try await withInbox { _, inbox in
            let payload = "line 1\r\nline 2 \u{0} ünïcödé 🚀 'quotes' \"double\" -- EVAL"
            let key = "key with spaces:and:colons\r\n"
            _ = try await inbox.storeNew(key, payload: payload, kind: "pagerduty")
            let leased = try await inbox.lease(owner: "core-a", after: nil, limit: 10, lease: .seconds(30), wait: .zero)
            #expect(leased.count == 1)
            #expect(leased.first?.payload == payload && leased.first?.idempotencyKey == key && leased.first?.kind == "pagerduty")
            let duplicate = try await inbox.store(kind: "pagerduty", key: key, payload: payload, audit: nil)
            #expect(duplicate == .duplicate(id: 1))
        }
    }

    @Test func theAuditRecordIsWrittenForAStoredDeliveryNotForADuplicate() async throws {
        try await withAuditedInbox { store, inbox in
            let entry = AuditEntry(kind: "command", user: "U1", channel: "C1", command: "/ops status", detail: ["source": "slack"])
            let stored = try await inbox.store(kind: "slack", key: "evt-9", payload: "{}", audit: entry)
            let duplicate = try await inbox.store(kind: "slack", key: "evt-9", payload: "{}", audit: entry)
            #expect(duplicate == .duplicate(id: 1))
            guard case .stored = stored else {
                Issue.record("expected stored, got \(stored)")
                return
            }
            let records = try await store.auditRecords()
            #expect(records.count == 1)
            #expect(records.first?.kind == "command" && records.first?.user == "U1")
            #expect(records.first?.detail == .object(["source": "slack", "delivery_key": "evt-9"]))
            let verification = try await store.verifyAudit()
            #expect(verification == .intact(records: 1))
        }
    }

    /// A delivery handed out the most times without an ack (a payload that takes every core down) is set aside with a
    /// `dead_letter` record, as in the SQLite inbox, instead of going round the cores forever. Renewals do not count.
    @Test func aDeliveryLeasedTheMostTimesWithoutAnAckIsSetAsideWithADeadLetterRecord() async throws {
        try await withAuditedInbox { store, inbox in
            let storedPoison = try await inbox.storeNew("poison"), storedFine = try await inbox.storeNew("fine")
            let poison = try #require(storedPoison), fine = try #require(storedFine)
            for attempt in 1...HybridStore.maxDeliveryAttempts {
                let got = try await inbox.leaseNow("core-\(attempt)", limit: 2, lease: .milliseconds(60))
                #expect(got.contains(poison.id), "attempt \(attempt): \(got)")
                if attempt == 1 {
                    #expect(try await inbox.ack(id: fine.id) == .done)
                    for _ in 0..<3 {
                        let renewed = try await inbox.extendLease(id: poison.id, owner: "core-1", lease: .milliseconds(60))
                        #expect(renewed)
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            let afterwards = try await inbox.leaseNow("core-last", limit: 2)
            #expect(afterwards.isEmpty)
            let records = try await store.auditRecords().filter { $0.kind == "dead_letter" }
            #expect(records.count == 1)
            #expect(records.first?.outcome == "given_up")
            #expect(records.first?.detail == .object([
                "delivery_id": .int(Int(poison.id)), "delivery_kind": "slack", "delivery_key": "poison",
                "attempts": .int(HybridStore.maxDeliveryAttempts),
            ]))
            // Set aside is done: the last holder's late ack agrees, its renewal is refused, nothing comes back.
            #expect(try await inbox.ack(id: poison.id) == .done)
            let renewedLate = try await inbox.extendLease(id: poison.id, owner: "core-\(HybridStore.maxDeliveryAttempts)", lease: .seconds(30))
            #expect(!renewedLate)
            let again = try await inbox.leaseNow("core-again", limit: 2)
            #expect(again.isEmpty)
            let verification = try await store.verifyAudit()
            #expect(verification == .intact(records: 1))
        }
    }

    @Test func anAuditRecordWithoutAnAuditStoreIsRefusedNotDropped() async throws {
        try await withInbox { _, inbox in
            await #expect(throws: RedisInboxError.self) {
                try await inbox.store(kind: "slack", key: "evt-1", payload: "{}", audit: AuditEntry(kind: "command"))
            }
            let stored = try await inbox.storeNew("evt-2")
            #expect(stored?.id == 1)
        }
    }

    @Test func idsStayIncreasingWhenTheSequenceKeyIsLost() async throws {
        try await withInbox { url, inbox in
            for key in ["a", "b", "c"] { _ = try await inbox.storeNew(key) }
            let client = RedisClient(url: url)
            _ = try await client.checkedCommand(["DEL", "hybridbot:inbox:seq"])
            let next = try await inbox.storeNew("d")
            #expect(next?.id == 4)
            let after = try await inbox.storeNew("e")
            #expect(after?.id == 5)
            await client.close()
        }
    }

    @Test func theConsumerGroupIsRecreatedAfterTheDatabaseWasWiped() async throws {
        try await withInbox { url, inbox in
            _ = try await inbox.storeNew("a")
            let first = try await inbox.leaseNow("core-a")
            #expect(first == [1])
            let client = RedisClient(url: url)
            try await client.flushdb()
            await client.close()
            _ = try await inbox.storeNew("b")
            let leased = try await inbox.lease(owner: "core-a", after: nil, limit: 10, lease: .seconds(30), wait: .zero)
            #expect(leased.map(\.idempotencyKey) == ["b"])
        }
    }

    @Test func durabilityWarningNamesWeakSettings() async throws {
        try await withInbox { url, inbox in
            // The test server runs without an AOF.
            let found = await inbox.durabilityWarning()
            let warning = try #require(found)
            #expect(warning.contains("appendonly is no"))
            #expect(warning.contains("appendfsync is everysec"))
            let client = RedisClient(url: url)
            _ = try await client.checkedCommand(["CONFIG", "SET", "appendonly", "yes"])
            _ = try await client.checkedCommand(["CONFIG", "SET", "appendfsync", "always"])
            await client.close()
            let none = await inbox.durabilityWarning()
            #expect(none == nil)
        }
    }

    @Test func errorsNeverShowThePassword() async throws {
        try await RedisTestServer.with(password: "right-pass-123") { url in
            var wrong = url
            wrong.password = "wrong-pass-456"
            let inbox = RedisStreamInbox(url: wrong)
            do {
                _ = try await inbox.store(kind: "slack", key: "a", payload: "{}", audit: nil)
                Issue.record("a wrong password was accepted")
            } catch {
                let text = String(describing: error)
                #expect(!text.contains("wrong-pass-456") && !text.contains("right-pass-123"))
                #expect(text.contains("redis://:***@127.0.0.1:\(url.port)/0"))
            }
            await inbox.close()
        }
    }
}
