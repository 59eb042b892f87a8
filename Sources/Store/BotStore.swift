import BotCore

/// Everything the core reads and writes: the audit chain, execution claims, approvals, timers and incidents.
///
/// `HybridStore` is the one arbiter: in `serve` the core uses it directly; a `core` of a relay deployment uses a
/// remote implementation that calls the relay's store API, so cores keep no durable state of their own and every
/// decision (a unique key, a state transition) is taken inside one SQLite transaction at the relay.
package protocol BotStore: Sendable {
    @discardableResult
    func append(_ entry: AuditEntry) async throws -> AuditRecord
    func auditRecords(sinceAt: String?, user: String?) async throws -> [AuditRecord]

    /// Claims the right to run the effects keyed by `key` (written before any action runs).
    func claimExecution(key: String, deliveryID: Int64?) async throws -> ExecutionClaim
    /// Completes the record, writing `audit` in the same transaction.
    func finishExecution(key: String, result: String, audit: AuditEntry?) async throws

    func createApproval(_ approval: StoredApproval, audit: AuditEntry) async throws
    func approval(id: String) async throws -> StoredApproval?
    func openApprovals() async throws -> [StoredApproval]
    func setApprovalMessage(id: String, channel: String, ts: String) async throws
    /// Applies one event to an approval atomically (two clicks at once are decided one after the other).
    func transitionApproval(
        id: String, event: ApprovalMachine.Event, policy: PermissionPolicy,
        audit: @escaping @Sendable (ApprovalRequest, ApprovalRequest, [ApprovalMachine.Action]) -> AuditEntry?
    ) async throws -> (StoredApproval, [ApprovalMachine.Action])?

    @discardableResult
    func scheduleTimer(key: String, kind: String, dueAt: Int64, payload: String, replace: Bool) async throws -> TimerScheduleResult
    func dueTimers(now: Int64, limit: Int) async throws -> [StoredTimer]
    func nextTimerDue() async throws -> Int64?
    func claimTimer(_ timer: StoredTimer) async throws -> Bool
    func finishTimer(_ timer: StoredTimer) async throws
    func retryTimer(_ timer: StoredTimer, retryAt: Int64) async throws
    @discardableResult
    func cancelTimer(key: String) async throws -> Bool
    @discardableResult
    func cancelTimers(prefix: String) async throws -> Int
    func interruptedTimers(claimedBefore: Int64?) async throws -> [StoredTimer]
    func timerState(key: String) async throws -> String?

    func incident(id: String) async throws -> StoredIncident?
    func incidents(limit: Int) async throws -> [StoredIncident]
    /// Read, decide and write atomically: `change` gets the stored row (nil when new) and returns what to store.
    @discardableResult
    func updateIncident(id: String, _ change: @escaping @Sendable (StoredIncident?) -> StoredIncident?) async throws -> StoredIncident?
    func setIncidentMessage(id: String, channel: String, ts: String) async throws
    func markIncidentReported(id: String) async throws
}

extension BotStore {
    package func finishExecution(key: String, result: String) async throws {
        try await finishExecution(key: key, result: result, audit: nil)
    }
    package func auditRecords() async throws -> [AuditRecord] { try await auditRecords(sinceAt: nil, user: nil) }
    package func auditRecords(sinceAt: String) async throws -> [AuditRecord] { try await auditRecords(sinceAt: sinceAt, user: nil) }
    package func dueTimers(now: Int64) async throws -> [StoredTimer] { try await dueTimers(now: now, limit: 100) }
    package func incidents() async throws -> [StoredIncident] { try await incidents(limit: 500) }
    @discardableResult
    package func scheduleTimer(key: String, kind: String, dueAt: Int64, payload: String) async throws -> TimerScheduleResult {
        try await scheduleTimer(key: key, kind: kind, dueAt: dueAt, payload: payload, replace: false)
    }
}

extension HybridStore: BotStore {}
