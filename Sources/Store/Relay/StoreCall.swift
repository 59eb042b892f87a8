import BotCore
import Foundation

/// One call of the relay's store API (`POST /relay/v1/store`): what a `core` asks the relay, the one arbiter, to read
/// or decide. The relay answers `{"value": …}` with the result of the same-named `HybridStore` method.
package enum StoreCall: Codable, Sendable {
    case append(entry: AuditEntry)
    case auditRecords(sinceAt: String?, user: String?)
    case claimExecution(key: String, deliveryID: Int64?, claimant: String)
    case finishExecution(key: String, result: String, audit: AuditEntry?)
    case createApproval(approval: StoredApproval, audit: AuditEntry)
    case approval(id: String)
    case openApprovals
    case setApprovalMessage(id: String, channel: String, ts: String)
    case swapApproval(id: String, expected: ApprovalRequest, next: ApprovalRequest, audit: AuditEntry?, token: String?)
    case scheduleTimer(key: String, kind: String, dueAt: Int64, payload: String, replace: Bool)
    case dueTimers(now: Int64, limit: Int)
    case nextTimerDue
    case claimTimer(timer: StoredTimer, claimant: String?)
    case finishTimer(timer: StoredTimer)
    case retryTimer(timer: StoredTimer, retryAt: Int64)
    case cancelTimer(key: String)
    case cancelTimers(prefix: String)
    case interruptedTimers(claimedBefore: Int64?)
    case timerState(key: String)
    case incident(id: String)
    case incidents(limit: Int)
    case swapIncident(id: String, expected: StoredIncident?, new: StoredIncident, token: String?)
    case setIncidentMessage(id: String, channel: String, ts: String)
    case markIncidentReported(id: String)

    /// Safe to send again when the answer was lost: repeating it changes nothing (reads, idempotent writes, claims
    /// with their claimant token, compare-and-swaps). An audit append or a new approval is not: sent once.
    package var isRetrySafe: Bool {
        switch self {
        case .append, .createApproval: false
        default: true
        }
    }
}

/// The answer's envelope: `{"value": …}` (so that nil and scalars are valid JSON documents too).
package struct StoreReply<Value: Codable & Sendable>: Codable, Sendable {
    package let value: Value
    package init(_ value: Value) { self.value = value }
}

/// Nothing to return.
package struct StoreDone: Codable, Sendable, Equatable {
    package init() {}
}

extension HybridStore {
    /// Carries out one store API call and encodes its answer (the relay's side of `RemoteStore`).
    package func perform(_ call: StoreCall) async throws -> Data {
        func reply<Value: Codable & Sendable>(_ value: Value) throws -> Data { try JSONEncoder().encode(StoreReply(value)) }
        switch call {
        case .append(let entry): return try reply(try await append(entry))
        case .auditRecords(let sinceAt, let user): return try reply(try await auditRecords(sinceAt: sinceAt, user: user))
        case .claimExecution(let key, let deliveryID, let claimant):
            return try reply(try await claimExecution(key: key, deliveryID: deliveryID, claimant: claimant))
        case .finishExecution(let key, let result, let audit):
            try await finishExecution(key: key, result: result, audit: audit); return try reply(StoreDone())
        case .createApproval(let approval, let audit): try await createApproval(approval, audit: audit); return try reply(StoreDone())
        case .approval(let id): return try reply(try await approval(id: id))
        case .openApprovals: return try reply(try await openApprovals())
        case .setApprovalMessage(let id, let channel, let ts):
            try await setApprovalMessage(id: id, channel: channel, ts: ts); return try reply(StoreDone())
        case .swapApproval(let id, let expected, let next, let audit, let token):
            return try reply(try await swapApproval(id: id, expected: expected, next: next, audit: audit, token: token))
        case .scheduleTimer(let key, let kind, let dueAt, let payload, let replace):
            return try reply(try await scheduleTimer(key: key, kind: kind, dueAt: dueAt, payload: payload, replace: replace))
        case .dueTimers(let now, let limit): return try reply(try await dueTimers(now: now, limit: min(max(limit, 1), 1000)))
        case .nextTimerDue: return try reply(try await nextTimerDue())
        case .claimTimer(let timer, let claimant): return try reply(try await claimTimer(timer, claimant: claimant))
        case .finishTimer(let timer): try await finishTimer(timer); return try reply(StoreDone())
        case .retryTimer(let timer, let retryAt): try await retryTimer(timer, retryAt: retryAt); return try reply(StoreDone())
        case .cancelTimer(let key): return try reply(try await cancelTimer(key: key))
        case .cancelTimers(let prefix): return try reply(try await cancelTimers(prefix: prefix))
        case .interruptedTimers(let before): return try reply(try await interruptedTimers(claimedBefore: before))
        case .timerState(let key): return try reply(try await timerState(key: key))
        case .incident(let id): return try reply(try await incident(id: id))
        case .incidents(let limit): return try reply(try await incidents(limit: min(max(limit, 1), 1000)))
        case .swapIncident(let id, let expected, let new, let token):
            return try reply(try await swapIncident(id: id, expected: expected, new: new, token: token))
        case .setIncidentMessage(let id, let channel, let ts):
            try await setIncidentMessage(id: id, channel: channel, ts: ts); return try reply(StoreDone())
        case .markIncidentReported(let id): try await markIncidentReported(id: id); return try reply(StoreDone())
        }
    }
}
