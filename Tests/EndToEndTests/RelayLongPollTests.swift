import Foundation
import Store
import Synchronization
import Testing

/// `GET /relay/v1/events` over real HTTP: hand-out, wake-up, timeout, cursor, limit, exclusivity.
@Suite("relay long-poll")
struct RelayLongPollTests {
    @Test func returnsAtOnceWhenADeliveryIsWaiting() async throws {
        try await RelayBed.run { relay in
            let stored = try await relay.storeDeliveries(1)
            let (batch, took) = try await relay.events(core: "core-a", wait: 10)
            #expect(batch.events == stored)
            #expect(batch.cursor == stored[0].id)
            #expect(took < .seconds(6))  // parked, it would take the whole 10 s
        }
    }

    @Test func wakesWhenADeliveryIsStoredDuringTheWait() async throws {
        try await RelayBed.run { relay in
            let poll = Task { try await relay.events(core: "core-a", wait: 10) }
            try await Task.sleep(for: .milliseconds(400))
            let storedAt = ContinuousClock.now
            let stored = try await relay.storeDeliveries(1)
            let (batch, took) = try await poll.value
            let afterStore = ContinuousClock.now - storedAt
            #expect(batch.events == stored)
            #expect(afterStore < .seconds(6))  // woken, not timed out (10 s)
            #expect(took < .seconds(8))
        }
    }

    @Test func timesOutEmptyAfterTheWaitAndNotMuchLater() async throws {
        try await RelayBed.run { relay in
            let (batch, took) = try await relay.events(core: "core-a", after: 7, wait: 2)
            #expect(batch.events.isEmpty)
            #expect(batch.cursor == 7)  // nothing handed out: the cursor stays where the core said
            #expect(took >= .milliseconds(1_950))
            #expect(took < .seconds(8))
            // wait=0 (or none) answers at once.
            let (now, quick) = try await relay.events(core: "core-a", wait: 0)
            #expect(now.events.isEmpty && now.cursor == nil)
            #expect(quick < .seconds(5))
            let (_, unset) = try await relay.events(core: "core-a")
            #expect(unset < .seconds(5))
        }
    }

    @Test func afterSkipsNeverLeasedIdsAtOrBelowIt() async throws {
        try await RelayBed.run { relay in
            let d = try await relay.storeDeliveries(4)
            let (batch, _) = try await relay.events(core: "core-a", after: d[1].id)
            #expect(batch.events.map(\.id) == [d[2].id, d[3].id])
            #expect(batch.cursor == d[3].id)
            // Nothing above the last id: empty, cursor unchanged.
            let (none, _) = try await relay.events(core: "core-a", after: d[3].id)
            #expect(none.events.isEmpty && none.cursor == d[3].id)
            // The skipped ones are still there for a core that starts from the beginning.
            let (fresh, _) = try await relay.events(core: "core-b", after: 0)
            #expect(fresh.events.map(\.id) == [d[0].id, d[1].id])
        }
    }

    @Test func anExpiredLeaseIsHandedOutAgainWhateverTheCursor() async throws {
        try await RelayBed.run(lease: .seconds(1)) { relay in
            let d = try await relay.storeDeliveries(3)
            let (first, _) = try await relay.events(core: "core-a")
            #expect(first.events == d)
            // core-a never renews: after the lease a core whose cursor is past every id gets them all back, lowest first.
            let (again, took) = try await relay.events(core: "core-b", after: d[2].id, wait: 8)
            #expect(again.events.map(\.id) == d.map(\.id))
            #expect(again.cursor == d[2].id)  // the highest id handed out
            #expect(took < .seconds(8))
            // Now core-b holds them: core-a's renewal is refused.
            #expect(try await relay.post("/relay/v1/events/\(d[0].id)/lease?core=core-a").status == 409)
            #expect(try await relay.post("/relay/v1/events/\(d[0].id)/lease?core=core-b").status == 200)
        }
    }

    @Test func cursorIsTheHighestIdHandedOut() async throws {
        try await RelayBed.run(lease: .seconds(1)) { relay in
            let d = try await relay.storeDeliveries(3)
            let (one, _) = try await relay.events(core: "core-a", limit: 1)
            #expect(one.events.map(\.id) == [d[0].id] && one.cursor == d[0].id)
            let (two, _) = try await relay.events(core: "core-a", after: one.cursor, limit: 2)
            #expect(two.events.map(\.id) == [d[1].id, d[2].id] && two.cursor == d[2].id)
        }
    }

    @Test func limitCapsTheBatchAndDefaultsToSixteen() async throws {
        try await RelayBed.run { relay in
            let d = try await relay.storeDeliveries(20)
            let (two, _) = try await relay.events(core: "core-a", limit: 2)
            #expect(two.events.map(\.id) == [d[0].id, d[1].id])
            let (sixteen, _) = try await relay.events(core: "core-a", after: two.cursor)
            #expect(sixteen.events.map(\.id) == d[2..<18].map(\.id))
            let (rest, _) = try await relay.events(core: "core-a", after: sixteen.cursor, limit: 100)
            #expect(rest.events.map(\.id) == [d[18].id, d[19].id])
        }
    }

    @Test func twoWaitingLongPollsNeverGetTheSameDelivery() async throws {
        try await RelayBed.run { relay in
            let a = Task { try await relay.events(core: "core-a", wait: 10, limit: 1) }
            let b = Task { try await relay.events(core: "core-b", wait: 10, limit: 1) }
            try await Task.sleep(for: .milliseconds(400))
            let first = try await relay.storeDeliveries(1)
            // Exactly one of the two gets it; the other keeps waiting and gets the next one.
            try await Task.sleep(for: .milliseconds(300))
            let second = try await relay.storeDeliveries(1)
            let (batchA, tookA) = try await a.value
            let (batchB, tookB) = try await b.value
            #expect(batchA.events.count == 1 && batchB.events.count == 1)
            #expect(Set(batchA.events.map(\.id) + batchB.events.map(\.id)) == [first[0].id, second[0].id])
            #expect(tookA < .seconds(5) && tookB < .seconds(5))
        }
    }

    @Test func fourCoresPollingAtOnceShareTwoHundredDeliveriesWithoutOverlap() async throws {
        try await RelayBed.run { relay in
            let stored = try await relay.storeDeliveries(200)
            let handed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for core in 0..<4 {
                    group.addTask {
                        var mine: [Int64] = []
                        var cursor: Int64?
                        while true {
                            let (batch, _) = try await relay.events(core: "core-\(core)", after: cursor, limit: 7)
                            if batch.events.isEmpty { return mine }
                            mine += batch.events.map(\.id)
                            cursor = batch.cursor
                        }
                    }
                }
                var all: [Int64] = []
                for try await mine in group { all += mine }
                return all
            }
            #expect(handed.count == 200)
            #expect(Set(handed) == Set(stored.map(\.id)))
        }
    }
}
