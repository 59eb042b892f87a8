import Foundation
import RedisDriver
import RedisInbox
import Store
import Synchronization
import TestSupport
import Testing

/// Runs `body` with a fresh redis-server and an inbox on it; closes the inbox and stops the server afterwards.
func withInbox(auditStore: HybridStore? = nil, _ body: (RedisURL, RedisStreamInbox) async throws -> Void) async throws {
    try await RedisTestServer.with { url in
        let inbox = RedisStreamInbox(url: url, auditStore: auditStore)
        do {
            try await body(url, inbox)
        } catch {
            await inbox.close()
            throw error
        }
        await inbox.close()
    }
}

/// Like ``withInbox``, with an audit store in a temporary SQLite file (removed afterwards).
func withAuditedInbox(_ body: (HybridStore, RedisStreamInbox) async throws -> Void) async throws {
    let path = temporaryDatabasePath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let store = try await HybridStore.open(path: path)
    do {
        try await withInbox(auditStore: store) { _, inbox in try await body(store, inbox) }
    } catch {
        await store.close()
        throw error
    }
    await store.close()
}

extension RedisStreamInbox {
    /// Stores and returns the stored delivery; records an issue (and returns nil) on a duplicate.
    func storeNew(_ key: String, payload: String = "{}", kind: String = "slack") async throws -> StoredDelivery? {
        let result = try await store(kind: kind, key: key, payload: payload, audit: nil)
        guard case .stored(let delivery) = result else {
            Issue.record("\(key) was answered \(result), expected stored")
            return nil
        }
        return delivery
    }

    /// A lease that never waits.
    func leaseNow(_ owner: String, limit: Int = 100, lease: Duration = .seconds(30)) async throws -> [Int64] {
        try await self.lease(owner: owner, after: nil, limit: limit, lease: lease, wait: .zero).map(\.id)
    }
}

/// How often each delivery id was processed, shared by concurrent consumers.
final class ProcessedIDs: Sendable {
    private let counts = Mutex<[Int64: Int]>([:])

    func record(_ id: Int64) { counts.withLock { $0[id, default: 0] += 1 } }
    var snapshot: [Int64: Int] { counts.withLock { $0 } }
    var distinct: Int { counts.withLock { $0.count } }
}

/// Elapsed time of `body`.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let start = ContinuousClock.now
    let value = try await body()
    return (value, ContinuousClock.now - start)
}

func temporaryDatabasePath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("redis-inbox-\(UUID().uuidString).sqlite").path
}
