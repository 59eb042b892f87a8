import BotCore
import Foundation
import Store
import Testing

/// `HybridStore.perform`: the relay's side of `RemoteStore`, a `StoreCall` in, `{"value": …}` out.
@Suite("StoreCall round trips")
struct StoreCallTests {
    /// Sends `call` the way a core does (JSON encoded, decoded at the relay), performs it, decodes the envelope.
    static func perform<Value: Codable & Sendable>(_ store: HybridStore, _ call: StoreCall, as: Value.Type = Value.self) async throws -> Value {
        let wire = try JSONDecoder().decode(StoreCall.self, from: JSONEncoder().encode(call))
        let answer = try await store.perform(wire)
        return try JSONDecoder().decode(StoreReply<Value>.self, from: answer).value
    }

    static func approval(id: String = "ap1", required: Int = 2) -> StoredApproval {
        let plan = CommandPlan(command: "/hybrid cache flush", path: "cache flush", arguments: [:], facts: [PreviewFact(name: "keys", value: .count(40, tolerance: 0.1))])
        let request = ApprovalRequest(
            id: id, requester: "U01ALICE", channel: "C0LOCAL", command: "/hybrid cache flush", path: "cache flush", planHash: plan.hash,
            approverRoles: ["operator"], required: required, createdAt: 1_700_000_000_000, expiresAt: 1_700_000_900_000)
        return StoredApproval(request: request, plan: plan, responseURL: "https://hooks.example/r")
    }

    @Test("append and auditRecords: the record comes back as stored, the chain verifies")
    func appendAndRead() async throws {
        try await withStore { store, _ in
            let entry = AuditEntry(kind: "result", user: "U1", channel: "C1", command: "/hybrid status", outcome: "ok", detail: ["core": "core-a"])
            let record: AuditRecord = try await Self.perform(store, .append(entry: entry))
            #expect(record.kind == "result" && record.user == "U1" && record.outcome == "ok")
            #expect(record.detail["core"] == "core-a")
            let all: [AuditRecord] = try await Self.perform(store, .auditRecords(sinceAt: nil, user: nil))
            #expect(all == [record])
            let none: [AuditRecord] = try await Self.perform(store, .auditRecords(sinceAt: nil, user: "U2"))
            #expect(none.isEmpty)
            #expect(try await store.verifyAudit() == .intact(records: 1))
        }
    }

    @Test("claimExecution with a claimant: the same claimant again is .claimed, anyone else .interrupted, then finished")
    func claimIdempotency() async throws {
        try await withStore { store, _ in
            let first: ExecutionClaim = try await Self.perform(store, .claimExecution(key: "slack.command:t1", deliveryID: 7, claimant: "core-a/1"))
            #expect(first == .claimed)
            // The answer was lost, the core asks again with the same token: still its claim.
            let retried: ExecutionClaim = try await Self.perform(store, .claimExecution(key: "slack.command:t1", deliveryID: 7, claimant: "core-a/1"))
            #expect(retried == .claimed)
            // Another core (a redelivery after the lease ran out) must not run it.
            let other: ExecutionClaim = try await Self.perform(store, .claimExecution(key: "slack.command:t1", deliveryID: 7, claimant: "core-b/9"))
            guard case .interrupted(let startedAt, firstReport: true) = other else {
                Issue.record("expected the first report of .interrupted, got \(other)")
                return
            }
            #expect(startedAt == "2023-11-14T22:13:20.000Z")
            // core-b's answer was lost and it asks again: still its report to make (and audit).
            let again: ExecutionClaim = try await Self.perform(store, .claimExecution(key: "slack.command:t1", deliveryID: 7, claimant: "core-b/9"))
            #expect(again == .interrupted(startedAt: startedAt, firstReport: true))
            // Once declared interrupted, the first claimant does not get it back, and does not report it again.
            let late: ExecutionClaim = try await Self.perform(store, .claimExecution(key: "slack.command:t1", deliveryID: 7, claimant: "core-a/1"))
            #expect(late == .interrupted(startedAt: startedAt, firstReport: false))
            // A claim without claimant (serve) after a claim with one is an interruption too.
            #expect(try await Self.perform(store, .claimExecution(key: "slack.command:t2", deliveryID: nil, claimant: "core-a/2"), as: ExecutionClaim.self) == .claimed)
            #expect(try await store.claimExecution(key: "slack.command:t2", deliveryID: nil) == .interrupted(startedAt: startedAt, firstReport: true))
            #expect(try await store.claimExecution(key: "slack.command:t2", deliveryID: nil) == .interrupted(startedAt: startedAt, firstReport: false))
        }
    }

    @Test("finishExecution: later claims get the result to re-send, whoever asks")
    func finish() async throws {
        try await withStore { store, _ in
            #expect(try await Self.perform(store, .claimExecution(key: "k", deliveryID: 1, claimant: "a/1"), as: ExecutionClaim.self) == .claimed)
            let done: StoreDone = try await Self.perform(store, .finishExecution(key: "k", result: "scaled to 10", audit: nil))
            #expect(done == StoreDone())
            #expect(try await Self.perform(store, .claimExecution(key: "k", deliveryID: 1, claimant: "a/1"), as: ExecutionClaim.self)
                == .finished(result: "scaled to 10"))
            #expect(try await Self.perform(store, .claimExecution(key: "k", deliveryID: 1, claimant: "b/2"), as: ExecutionClaim.self)
                == .finished(result: "scaled to 10"))
        }
    }

    @Test("approvals: create, read, message, compare-and-swap (a stale expectation is refused with the current row)")
    func approvals() async throws {
        try await withStore { store, _ in
            let created = Self.approval()
            let _: StoreDone = try await Self.perform(
                store, .createApproval(approval: created, audit: AuditEntry(kind: "approval_requested", user: "U01ALICE")))
            #expect(try await Self.perform(store, .approval(id: "ap1"), as: StoredApproval?.self) == created)
            #expect(try await Self.perform(store, .approval(id: "nope"), as: StoredApproval?.self) == nil)
            #expect(try await Self.perform(store, .openApprovals, as: [StoredApproval].self) == [created])
            let _: StoreDone = try await Self.perform(store, .setApprovalMessage(id: "ap1", channel: "C0LOCAL", ts: "1.2"))
            let withMessage = try #require(try await Self.perform(store, .approval(id: "ap1"), as: StoredApproval?.self))
            #expect(withMessage.messageChannel == "C0LOCAL" && withMessage.messageTS == "1.2")

            var voted = created.request
            voted.approvals.append(.init(user: "U02BOB", at: 1_700_000_001_000))
            let swapped: SwapOutcome<StoredApproval> = try await Self.perform(
                store, .swapApproval(id: "ap1", expected: created.request, next: voted, audit: AuditEntry(kind: "approval_vote", user: "U02BOB"), token: nil))
            #expect(swapped.swapped)
            #expect(swapped.current?.request == voted)
            #expect(swapped.current?.messageTS == "1.2")

            // The same expectation again (someone else's decision based on the old row) is refused, nothing is written.
            var other = created.request
            other.approvals.append(.init(user: "U04DAVE", at: 1_700_000_002_000))
            let stale: SwapOutcome<StoredApproval> = try await Self.perform(
                store, .swapApproval(id: "ap1", expected: created.request, next: other, audit: AuditEntry(kind: "approval_vote", user: "U04DAVE"), token: nil))
            #expect(!stale.swapped)
            #expect(stale.current?.request == voted)
            #expect(try await store.approval(id: "ap1")?.request == voted)

            let missing: SwapOutcome<StoredApproval> = try await Self.perform(
                store, .swapApproval(id: "gone", expected: created.request, next: voted, audit: nil, token: nil))
            #expect(!missing.swapped && missing.current == nil)

            // Two records: the request and the one vote that landed.
            #expect(try await store.auditRecords().map(\.kind) == ["approval_requested", "approval_vote"])
            #expect(try await store.verifyAudit() == .intact(records: 2))
        }
    }

    @Test("timers: schedule once per key, due, claim once, finish; state and cancel")
    func timers() async throws {
        try await withStore { store, _ in
            #expect(try await Self.perform(store, .nextTimerDue, as: Int64?.self) == nil)
            #expect(try await Self.perform(store, .scheduleTimer(key: "revert:1", kind: "revert", dueAt: 1_000, payload: "{}", replace: false),
                                           as: TimerScheduleResult.self) == .scheduled)
            #expect(try await Self.perform(store, .scheduleTimer(key: "revert:1", kind: "revert", dueAt: 5_000, payload: "{}", replace: false),
                                           as: TimerScheduleResult.self) == .exists(state: "pending"))
            #expect(try await Self.perform(store, .nextTimerDue, as: Int64?.self) == 1_000)
            #expect(try await Self.perform(store, .dueTimers(now: 999, limit: 10), as: [StoredTimer].self).isEmpty)
            let due: [StoredTimer] = try await Self.perform(store, .dueTimers(now: 1_000, limit: 10))
            let timer = try #require(due.first)
            #expect(due.count == 1 && timer.key == "revert:1" && timer.kind == "revert")
            #expect(try await Self.perform(store, .claimTimer(timer: timer, claimant: nil), as: Bool.self))
            #expect(try await Self.perform(store, .timerState(key: "revert:1"), as: String?.self) == "firing")
            #expect(try await Self.perform(store, .interruptedTimers(claimedBefore: nil), as: [StoredTimer].self).map(\.key) == ["revert:1"])
            let _: StoreDone = try await Self.perform(store, .finishTimer(timer: timer))
            #expect(try await Self.perform(store, .timerState(key: "revert:1"), as: String?.self) == "done")

            _ = try await Self.perform(store, .scheduleTimer(key: "remind:a", kind: "remind", dueAt: 9_000, payload: "", replace: false), as: TimerScheduleResult.self)
            _ = try await Self.perform(store, .scheduleTimer(key: "remind:b", kind: "remind", dueAt: 9_000, payload: "", replace: false), as: TimerScheduleResult.self)
            #expect(try await Self.perform(store, .cancelTimer(key: "remind:a"), as: Bool.self))
            #expect(try await Self.perform(store, .cancelTimer(key: "remind:a"), as: Bool.self) == false)
            #expect(try await Self.perform(store, .cancelTimers(prefix: "remind:"), as: Int.self) == 1)
            #expect(try await Self.perform(store, .timerState(key: "nope"), as: String?.self) == nil)
        }
    }

    @Test("incidents: compare-and-swap creates, refuses a stale expectation, and reads back")
    func incidents() async throws {
        try await withStore { store, _ in
            let first = StoredIncident(id: "PINC1", state: "{\"s\":\"triggered\"}", lastEventAt: "2025-01-15T09:00:00Z", incident: "{}")
            let created: SwapOutcome<StoredIncident> = try await Self.perform(store, .swapIncident(id: "PINC1", expected: nil, new: first, token: nil))
            #expect(created.swapped && created.current == first)
            // A second "create" (another core saw no row either) is refused and gets the row.
            var other = first
            other.state = "{\"s\":\"acknowledged\"}"
            let refused: SwapOutcome<StoredIncident> = try await Self.perform(store, .swapIncident(id: "PINC1", expected: nil, new: other, token: nil))
            #expect(!refused.swapped && refused.current == first)
            let updated: SwapOutcome<StoredIncident> = try await Self.perform(store, .swapIncident(id: "PINC1", expected: first, new: other, token: nil))
            #expect(updated.swapped && updated.current == other)
            #expect(try await Self.perform(store, .incident(id: "PINC1"), as: StoredIncident?.self) == other)
            let _: StoreDone = try await Self.perform(store, .setIncidentMessage(id: "PINC1", channel: "C0INC", ts: "9.9"))
            let _: StoreDone = try await Self.perform(store, .markIncidentReported(id: "PINC1"))
            let listed: [StoredIncident] = try await Self.perform(store, .incidents(limit: 10))
            #expect(listed.count == 1)
            #expect(listed.first?.messageTS == "9.9" && listed.first?.reportAt != nil)
        }
    }

    @Test("only an audit append and a new approval are sent once; every other call may be repeated")
    func retrySafety() {
        let entry = AuditEntry(kind: "x")
        #expect(!StoreCall.append(entry: entry).isRetrySafe)
        #expect(!StoreCall.createApproval(approval: Self.approval(), audit: entry).isRetrySafe)
        #expect(StoreCall.claimExecution(key: "k", deliveryID: nil, claimant: "c").isRetrySafe)
        #expect(StoreCall.swapApproval(id: "a", expected: Self.approval().request, next: Self.approval().request, audit: nil, token: nil).isRetrySafe)
        #expect(StoreCall.auditRecords(sinceAt: nil, user: nil).isRetrySafe)
    }

    @Test("a call the relay does not know is a decoding error, not a crash")
    func unknownCall() {
        #expect(throws: (any Error).self) { try JSONDecoder().decode(StoreCall.self, from: Data(#"{"dropTables":{}}"#.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(StoreCall.self, from: Data(#"{"claimExecution":{"key":1}}"#.utf8)) }
    }
}
