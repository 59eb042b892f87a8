import BotCore
import Foundation
import Store

/// The core's `BotStore` when it runs behind a relay: every read and decision is a call to the relay's store API,
/// so the core keeps no durable state and one SQLite transaction at the relay decides each claim and transition.
///
/// The two read-decide-write operations (approval transitions, incident updates) run their pure decision here and
/// are applied with a compare-and-swap at the relay: on a conflict (another core or click got there first) the
/// current row comes back and the decision is taken again on it.
///
/// Audit records and results are redacted here with the core's own redactor before they leave: the relay's store
/// redacts too, but it knows only the relay's secrets, not the core's credentials (bot token, Kubernetes token,
/// database password…).
package struct RemoteStore: BotStore {
    private let relay: RelayConnection
    private let redactor: SecretRedactor
    /// Tries before a compare-and-swap that keeps losing is reported as a failure.
    private let maxSwaps = 16

    package init(relay: RelayConnection, redactor: SecretRedactor) {
        self.relay = relay
        self.redactor = redactor
    }

    package func append(_ entry: AuditEntry) async throws -> AuditRecord {
        try await relay.call(.append(entry: stamped(entry)))
    }

    package func auditRecords(sinceAt: String?, user: String?) async throws -> [AuditRecord] {
        try await relay.call(.auditRecords(sinceAt: sinceAt, user: user))
    }

    package func claimExecution(key: String, deliveryID: Int64?) async throws -> ExecutionClaim {
        // A fresh token per claim: a retry after a lost answer is recognized as this claim, not as an interruption.
        try await relay.call(.claimExecution(key: key, deliveryID: deliveryID, claimant: relay.core + "/" + UUID().uuidString))
    }

    package func finishExecution(key: String, result: String, audit: AuditEntry?) async throws {
        let _: StoreDone = try await relay.call(
            .finishExecution(key: key, result: redactor.redact(result), audit: audit.map(stamped)))
    }

    package func createApproval(_ approval: StoredApproval, audit: AuditEntry) async throws {
        let _: StoreDone = try await relay.call(.createApproval(approval: approval, audit: stamped(audit)))
    }

    package func approval(id: String) async throws -> StoredApproval? {
        try await relay.call(.approval(id: id))
    }

    package func openApprovals() async throws -> [StoredApproval] {
        try await relay.call(.openApprovals)
    }

    package func setApprovalMessage(id: String, channel: String, ts: String) async throws {
        let _: StoreDone = try await relay.call(.setApprovalMessage(id: id, channel: channel, ts: ts))
    }

    package func transitionApproval(
        id: String, event: ApprovalMachine.Event, policy: PermissionPolicy,
        audit: @escaping @Sendable (ApprovalRequest, ApprovalRequest, [ApprovalMachine.Action]) -> AuditEntry?
    ) async throws -> (StoredApproval, [ApprovalMachine.Action])? {
        var current = try await approval(id: id)
        for _ in 0..<maxSwaps {
            guard let stored = current else { return nil }
            let (next, actions) = ApprovalMachine.handle(event, stored.request, policy: policy)
            let entry = audit(stored.request, next, actions).map(stamped)
            // A token per swap: when the relay committed it but the answer was lost, the retried call is recognized.
            let outcome: SwapOutcome<StoredApproval> = try await relay.call(
                .swapApproval(id: id, expected: stored.request, next: next, audit: entry, token: UUID().uuidString))
            if outcome.swapped, let updated = outcome.current { return (updated, actions) }
            current = outcome.current
        }
        throw RelayError.conflict("approval \(id)")
    }

    package func scheduleTimer(key: String, kind: String, dueAt: Int64, payload: String, replace: Bool) async throws -> TimerScheduleResult {
        try await relay.call(.scheduleTimer(key: key, kind: kind, dueAt: dueAt, payload: payload, replace: replace))
    }

    package func dueTimers(now: Int64, limit: Int) async throws -> [StoredTimer] {
        try await relay.call(.dueTimers(now: now, limit: limit))
    }

    package func nextTimerDue() async throws -> Int64? {
        try await relay.call(.nextTimerDue)
    }

    package func claimTimer(_ timer: StoredTimer) async throws -> Bool {
        try await relay.call(.claimTimer(timer: timer, claimant: relay.core + "/" + UUID().uuidString))
    }

    package func finishTimer(_ timer: StoredTimer) async throws {
        let _: StoreDone = try await relay.call(.finishTimer(timer: timer))
    }

    package func retryTimer(_ timer: StoredTimer, retryAt: Int64) async throws {
        let _: StoreDone = try await relay.call(.retryTimer(timer: timer, retryAt: retryAt))
    }

    package func cancelTimer(key: String) async throws -> Bool {
        try await relay.call(.cancelTimer(key: key))
    }

    package func cancelTimers(prefix: String) async throws -> Int {
        try await relay.call(.cancelTimers(prefix: prefix))
    }

    package func interruptedTimers(claimedBefore: Int64?) async throws -> [StoredTimer] {
        try await relay.call(.interruptedTimers(claimedBefore: claimedBefore))
    }

    package func timerState(key: String) async throws -> String? {
        try await relay.call(.timerState(key: key))
    }

    package func incident(id: String) async throws -> StoredIncident? {
        try await relay.call(.incident(id: id))
    }

    package func incidents(limit: Int) async throws -> [StoredIncident] {
        try await relay.call(.incidents(limit: limit))
    }

    package func updateIncident(id: String, _ change: @escaping @Sendable (StoredIncident?) -> StoredIncident?) async throws -> StoredIncident? {
        var current = try await incident(id: id)
        for _ in 0..<maxSwaps {
            guard var new = change(current) else { return current }
            new.id = id
            let outcome: SwapOutcome<StoredIncident> = try await relay.call(
                .swapIncident(id: id, expected: current, new: new, token: UUID().uuidString))
            if outcome.swapped { return outcome.current }
            current = outcome.current
        }
        throw RelayError.conflict("incident \(id)")
    }

    package func setIncidentMessage(id: String, channel: String, ts: String) async throws {
        let _: StoreDone = try await relay.call(.setIncidentMessage(id: id, channel: channel, ts: ts))
    }

    package func markIncidentReported(id: String) async throws {
        let _: StoreDone = try await relay.call(.markIncidentReported(id: id))
    }

    /// Redacted with the core's secrets, and naming the core (`--name`), so the one audit chain shows who ran what.
    private func stamped(_ entry: AuditEntry) -> AuditEntry {
        var entry = entry.redacted(redactor.redact)
        entry.detail["core"] = .string(relay.core)
        return entry
    }
}
