import Foundation
import RelayClient
import Store
import Synchronization
import Testing

/// Who processed which delivery, shared by the cores of a test.
final class RelayTally: Sendable {
    private let seen = Mutex<[Int64: [String]]>([:])

    func record(_ id: Int64, by core: String) { seen.withLock { $0[id, default: []].append(core) } }
    var all: [Int64: [String]] { seen.withLock { $0 } }
    var count: Int { seen.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}

/// Leases between cores over HTTP: `RemoteInbox` (the core's side) against the relay's `SQLiteInbox`.
@Suite("relay leases between cores")
struct RelayLeaseTests {
    /// A core's loop without the engine: lease, count, ack — until `expected` deliveries were counted overall.
    static func work(_ relay: RelayBed, core: String, tally: RelayTally, expected: Int, deadline: ContinuousClock.Instant) async throws {
        let inbox = RemoteInbox(relay: relay.connection(core))
        var cursor: Int64?
        while tally.count < expected, ContinuousClock.now < deadline {
            let batch = try await inbox.lease(owner: core, after: cursor, limit: 16, lease: relay.lease, wait: .seconds(1))
            for delivery in batch {
                cursor = max(cursor ?? 0, delivery.id)
                tally.record(delivery.id, by: core)
                #expect(try await inbox.ack(id: delivery.id) == .done)
            }
        }
    }

    @Test func twoCoresAndAThousandDeliveriesEachIsProcessedExactlyOnce() async throws {
        try await RelayBed.run { relay in
            let tally = RelayTally()
            let deadline = ContinuousClock.now + .seconds(20)
            // The cores are polling before the deliveries arrive: most hand-offs are wake-ups, not leftovers.
            async let a: Void = Self.work(relay, core: "core-a", tally: tally, expected: 1_000, deadline: deadline)
            async let b: Void = Self.work(relay, core: "core-b", tally: tally, expected: 1_000, deadline: deadline)
            try await Task.sleep(for: .milliseconds(200))
            let stored = try await withThrowingTaskGroup(of: [StoredDelivery].self) { group in
                for chunk in 0..<20 {
                    group.addTask { try await relay.storeDeliveries(50, prefix: "chunk\(chunk)") }
                }
                var all: [StoredDelivery] = []
                for try await part in group { all += part }
                return all
            }
            try await a
            try await b
            #expect(stored.count == 1_000)
            let seen = tally.all
            #expect(seen.count == 1_000)
            #expect(Set(seen.keys) == Set(stored.map(\.id)))
            let twice = seen.filter { $0.value.count != 1 }
            #expect(twice.isEmpty, "processed more than once: \(twice.prefix(5))")
            let byCore = Dictionary(grouping: seen.values.flatMap { $0 }, by: { $0 }).mapValues(\.count)
            #expect((byCore["core-a"] ?? 0) > 0 && (byCore["core-b"] ?? 0) > 0, "\(byCore)")
            #expect(try await relay.store.pendingDeliveries().isEmpty)
        }
    }

    @Test func aCoreThatStopsAckingLosesItsDeliveriesToTheOtherAfterTheLease() async throws {
        try await RelayBed.run(lease: .seconds(1)) { relay in
            let a = RemoteInbox(relay: relay.connection("core-a"))
            let b = RemoteInbox(relay: relay.connection("core-b"))
            let stored = try await relay.storeDeliveries(5)
            let held = try await a.lease(owner: "core-a", after: nil, limit: 16, lease: relay.lease, wait: .zero)
            #expect(held == stored)
            // core-a goes silent. core-b, waiting with a cursor past them, gets all five when the lease runs out.
            let started = ContinuousClock.now
            let taken = try await b.lease(owner: "core-b", after: stored.last?.id, limit: 16, lease: relay.lease, wait: .seconds(8))
            let took = ContinuousClock.now - started
            #expect(taken == stored)
            #expect(took > .milliseconds(500))
            #expect(took < .milliseconds(3_500))
            // core-a comes back: its renewal is refused, so it knows it lost them.
            #expect(try await a.extendLease(id: stored[0].id, owner: "core-a", lease: relay.lease) == false)
            for delivery in taken { #expect(try await b.ack(id: delivery.id) == .done) }
            #expect(try await relay.store.pendingDeliveries().isEmpty)
        }
    }

    @Test func renewingTheLeaseKeepsTheDeliveryFromMoving() async throws {
        try await RelayBed.run(lease: .seconds(2)) { relay in
            let a = RemoteInbox(relay: relay.connection("core-a"))
            let b = RemoteInbox(relay: relay.connection("core-b"))
            let stored = try await relay.storeDeliveries(1)
            #expect(try await a.lease(owner: "core-a", after: nil, limit: 1, lease: relay.lease, wait: .zero) == stored)
            // core-a renews every 400 ms (a long action running); core-b waits 1.5 leases and gets nothing.
            let renewals = Mutex<[Bool]>([])
            let keeper = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(400))
                    if Task.isCancelled { return }
                    // A renewal cut off by this task's own cancellation (b's poll just ended) says nothing about
                    // the lease; any other error or a refusal is a lost lease.
                    let kept: Bool
                    do {
                        kept = try await a.extendLease(id: stored[0].id, owner: "core-a", lease: relay.lease)
                    } catch is CancellationError {
                        return
                    } catch {
                        kept = false
                    }
                    renewals.withLock { $0.append(kept) }
                }
            }
            let during = try await b.lease(owner: "core-b", after: nil, limit: 1, lease: relay.lease, wait: .seconds(3))
            keeper.cancel()
            await keeper.value
            #expect(during.isEmpty)
            let kept = renewals.withLock { $0 }
            #expect(kept.count >= 3 && kept.allSatisfy { $0 }, "\(kept)")
            // Renewals stop: within about one lease it moves to core-b.
            let started = ContinuousClock.now
            let after = try await b.lease(owner: "core-b", after: nil, limit: 1, lease: relay.lease, wait: .seconds(6))
            #expect(after == stored)
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test func aReleaseOnStopGivesTheDeliveryToTheOtherCoreAtOnce() async throws {
        try await RelayBed.run(lease: .seconds(30)) { relay in
            let a = RemoteInbox(relay: relay.connection("core-a"))
            let b = RemoteInbox(relay: relay.connection("core-b"))
            let stored = try await relay.storeDeliveries(1)
            #expect(try await a.lease(owner: "core-a", after: nil, limit: 1, lease: relay.lease, wait: .zero) == stored)
            let waiting = Task { try await b.lease(owner: "core-b", after: stored[0].id, limit: 1, lease: relay.lease, wait: .seconds(8)) }
            try await Task.sleep(for: .milliseconds(400))
            let releasedAt = ContinuousClock.now
            try await a.release(id: stored[0].id, owner: "core-a")
            #expect(try await waiting.value == stored)
            #expect(ContinuousClock.now - releasedAt < .milliseconds(2_500))
            #expect(try await a.extendLease(id: stored[0].id, owner: "core-a", lease: relay.lease) == false)
        }
    }

    /// BUG: stopping a `LeasePoller` cancels its long-poll on the core's side only; the relay keeps the request waiting
    /// and leases the next delivery to the stopped core, which never processes or releases it: another core gets it
    /// only after a whole lease (30 s by default; the long-poll of a core waits 25 s).
    @Test func aStoppedCoresLastLongPollDoesNotSwallowTheNextDelivery() async throws {
        try await RelayBed.run(lease: .seconds(10), cores: ["core-a"]) { relay in
            let coreA = try relay.startCore("core-a", wait: .seconds(3), drainDeadline: .milliseconds(200))
            try await Task.sleep(for: .milliseconds(600))  // core-a's 3 s long-poll is now waiting at the relay
            coreA.cancel()  // graceful stop
            await coreA.value
            let stored = try await relay.storeDeliveries(1)
            try await Task.sleep(for: .milliseconds(300))
            // core-a is gone; core-b should get the delivery now, not after core-a's lease of 10 s.
            let b = RemoteInbox(relay: relay.connection("core-b"))
            let started = ContinuousClock.now
            let got = try await b.lease(owner: "core-b", after: nil, limit: 1, lease: relay.lease, wait: .seconds(4))
            #expect(got == stored, "a stopped core's long-poll still leased delivery \(stored[0].id) to it")
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }
}
