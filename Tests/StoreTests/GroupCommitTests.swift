import BotCore
import Foundation
import Store
import Testing

@Suite("group commit")
struct GroupCommitTests {
    static func withStore(_ body: (HybridStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-gc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await HybridStore.open(path: directory.appendingPathComponent("s.sqlite").path)
        try await body(store)
        await store.close()
    }

    @Test func concurrentWritesShareCommitsAndTheChainStaysLinear() async throws {
        try await Self.withStore { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<400 {
                    group.addTask {
                        if i.isMultiple(of: 2) {
                            _ = try await store.storeDelivery(
                                kind: "slack.command", key: "k\(i)", payload: "{}",
                                audit: AuditEntry(kind: "command", user: "U\(i)", outcome: "received"))
                        } else {
                            try await store.append(AuditEntry(kind: "result", user: "U\(i)", outcome: "ok"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let stats = store.writeStatistics
            #expect(stats.writes == 400)
            #expect(stats.commits < stats.writes, "no batching: \(stats)")
            #expect(try await store.verifyAudit() == .intact(records: 400))
            #expect(try await store.pendingDeliveries().count == 200)
        }
    }

    @Test func aFailingWriteInABatchDoesNotTakeOthersWithIt() async throws {
        try await Self.withStore { store in
            let request = ApprovalRequest(
                id: "abc", requester: "U1", channel: "C1", command: "cache flush", path: "cache flush", planHash: "h",
                approverRoles: ["operator"], required: 1, createdAt: 0, expiresAt: 1)
            let approval = StoredApproval(request: request, plan: CommandPlan(command: "cache flush", path: "cache flush", arguments: [:], facts: []))
            try await store.createApproval(approval, audit: AuditEntry(kind: "approval_requested"))
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        if i == 25 {
                            // Same primary key: this one must fail, alone.
                            do { try await store.createApproval(approval, audit: AuditEntry(kind: "approval_requested")); return false } catch { return true }
                        }
                        try await store.append(AuditEntry(kind: "result", user: "U\(i)"))
                        return true
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { $0 })
            // 1 request + 49 appends; the failed duplicate left neither its row nor its audit record.
            #expect(try await store.verifyAudit() == .intact(records: 50))
        }
    }
}
