import BotCore
import Foundation
import Store
import Synchronization

/// A fresh directory per test, removed afterwards (also when the body throws).
func withTemporaryDirectory(_ body: (String) async throws -> Void) async throws {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("hybridbot-storetests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    try await body(path)
}

/// Opens a store in a fresh directory, runs `body`, closes the store and removes the directory.
func withStore(
    redactor: SecretRedactor = .none, clock: TestClock = TestClock(),
    _ body: (HybridStore, String) async throws -> Void
) async throws {
    try await withTemporaryDirectory { dir in
        let path = dir + "/hybridbot.sqlite"
        let store = try await HybridStore.open(path: path, redactor: redactor, clock: clock.read)
        do {
            try await body(store, path)
            await store.close()
        } catch {
            await store.close()
            throw error
        }
    }
}

/// A settable clock; starts at 2023-11-14T22:13:20Z.
final class TestClock: Sendable {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    private let current: Mutex<Date>

    init(_ start: Date = TestClock.start) { current = Mutex(start) }

    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    var read: @Sendable () -> Date { { [self] in current.withLock { $0 } } }
}

extension HybridStore {
    /// Appends `count` simple records numbered in their detail, returns them.
    @discardableResult
    func appendNumbered(_ count: Int, user: String = "U1") async throws -> [AuditRecord] {
        var records: [AuditRecord] = []
        for index in 0..<count {
            let n = index + 1
            records.append(try await append(AuditEntry(
                kind: "command", user: user, channel: "C1", command: "/hybrid status \(n)", outcome: "ok",
                detail: ["n": .int(n), "args": .array(["status", .int(n)])])))
        }
        return records
    }
}

func fileBytes(_ path: String) -> Data? {
    FileManager.default.contents(atPath: path)
}
