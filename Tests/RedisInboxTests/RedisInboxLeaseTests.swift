import RedisDriver
import RedisInbox
import Store
import TestSupport
import Testing

/// Leasing, waiting, acking, expiry, extension and release against a real redis-server.
@Suite struct RedisInboxLeaseTests {
    @Test func leaseHandsOutInIDOrderAndHidesThemFromOtherOwners() async throws {
        try await withInbox { url, inbox in
            for index in 1...5 { _ = try await inbox.storeNew("evt-\(index)", payload: "p\(index)") }
            let first = try await inbox.lease(owner: "core-a", after: nil, limit: 3, lease: .seconds(30), wait: .zero)
            #expect(first.map(\.id) == [1, 2, 3])
            #expect(first.map(\.payload) == ["p1", "p2", "p3"])
            let otherCore = RedisStreamInbox(url: url)
            let second = try await otherCore.leaseNow("core-b")
            #expect(second == [4, 5])
            let third = try await otherCore.leaseNow("core-c")
            #expect(third == [])
            // `after` is ignored: the consumer group keeps the cursor.
            let rewound = try await inbox.lease(owner: "core-a", after: 0, limit: 10, lease: .seconds(30), wait: .zero)
            #expect(rewound.isEmpty)
            await otherCore.close()
        }
    }

    @Test func aWaitingLeaseWakesWhenADeliveryArrivesWithoutHoldingUpOtherCommands() async throws {
        try await withInbox { url, inbox in
            let relay = RedisStreamInbox(url: url)
            let waiter = Task {
                try await measure {
                    try await inbox.lease(owner: "core-a", after: nil, limit: 10, lease: .seconds(30), wait: .seconds(10))
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            // The same inbox (one shared connection) still answers quickly while its lease blocks.
            let (_, pingTime) = try await measure { _ = try await inbox.ack(id: 999) }
            #expect(pingTime < .seconds(5))  // blocked behind the lease it would take 10 s
            _ = try await relay.storeNew("evt-1", payload: "wake up")
            let (leased, elapsed) = try await waiter.value
            #expect(leased.map(\.payload) == ["wake up"])
            #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(6), "woke after \(elapsed)")  // not woken: 10 s
            await relay.close()
        }
    }

    @Test func aWaitingLeaseTimesOutEmpty() async throws {
        try await withInbox { _, inbox in
            let (leased, elapsed) = try await measure {
                try await inbox.lease(owner: "core-a", after: nil, limit: 10, lease: .seconds(30), wait: .milliseconds(600))
            }
            #expect(leased.isEmpty)
            #expect(elapsed >= .milliseconds(590) && elapsed < .seconds(6), "returned after \(elapsed)")
        }
    }

    @Test func waitsLongerThanOneBlockAreSeveralBlocks() async throws {
        try await RedisTestServer.with { url in
            var configuration = RedisStreamInbox.Configuration()
            configuration.maxBlock = .milliseconds(200)
            let inbox = RedisStreamInbox(url: url, configuration: configuration)
            let (leased, elapsed) = try await measure {
                try await inbox.lease(owner: "core-a", after: nil, limit: 10, lease: .seconds(30), wait: .milliseconds(700))
            }
            #expect(leased.isEmpty && elapsed >= .milliseconds(690) && elapsed < .seconds(6), "returned after \(elapsed)")
            await inbox.close()
        }
    }

    @Test func ackedDeliveriesAreNotHandedOutAgain() async throws {
        try await withInbox { _, inbox in
            _ = try await inbox.storeNew("evt-1")
            _ = try await inbox.storeNew("evt-2")
            let leased = try await inbox.leaseNow("core-a", lease: .milliseconds(300))
            #expect(leased == [1, 2])
            let acked = try await inbox.ack(id: 1)
            let ackedAgain = try await inbox.ack(id: 1)
            let unknown = try await inbox.ack(id: 99)
            let invalid = try await inbox.ack(id: 0)
            #expect(acked == .done && ackedAgain == .done && unknown == .unknown && invalid == .unknown)
            try await Task.sleep(for: .milliseconds(450))
            let expired = try await inbox.leaseNow("core-b")
            #expect(expired == [2])
            // Acking a delivery that was never leased works too.
            _ = try await inbox.storeNew("evt-3")
            let ackedUnleased = try await inbox.ack(id: 3)
            #expect(ackedUnleased == .done)
            let none = try await inbox.leaseNow("core-c")
            #expect(none == [])
        }
    }

    @Test func anExpiredLeaseGoesToAnotherOwner() async throws {
        try await withInbox { _, inbox in
            _ = try await inbox.storeNew("evt-1")
            let start = ContinuousClock.now
            let leased = try await inbox.leaseNow("core-a", lease: .milliseconds(800))
            #expect(leased == [1])
            let tooEarly = try await inbox.leaseNow("core-b")
            // Only meaningful while the lease surely runs (a loaded machine can take that long between calls).
            if ContinuousClock.now - start < .milliseconds(700) { #expect(tooEarly == []) }
            try await Task.sleep(until: start + .milliseconds(900))
            let taken = try await inbox.leaseNow("core-c")
            #expect(taken == [1])
            let extendedByFormerOwner = try await inbox.extendLease(id: 1, owner: "core-a", lease: .seconds(30))
            let extendedByNewOwner = try await inbox.extendLease(id: 1, owner: "core-c", lease: .seconds(30))
            #expect(extendedByNewOwner)
            #expect(!extendedByFormerOwner)
        }
    }

    @Test func theLeaseLengthIsTheHoldersNotTheClaimers() async throws {
        try await withInbox { _, inbox in
            _ = try await inbox.storeNew("evt-1")
            let start = ContinuousClock.now
            let leased = try await inbox.leaseNow("core-a", lease: .seconds(5))
            #expect(leased == [1])
            try await Task.sleep(for: .milliseconds(400))
            // A core asking for short leases must not take a delivery whose (longer) lease is still running.
            let shortLeaser = try await inbox.leaseNow("core-b", lease: .milliseconds(100))
            if ContinuousClock.now - start < .seconds(4) { #expect(shortLeaser == []) }
        }
    }

    @Test func extendLeaseKeepsItFromExpiringAndRefusesOthers() async throws {
        try await withInbox { _, inbox in
            _ = try await inbox.storeNew("evt-1")
            let leased = try await inbox.leaseNow("core-a", lease: .seconds(1))
            #expect(leased == [1])
            // Four extensions by 1 s, 400 ms apart: without them the lease would have run out after 1 s.
            for _ in 0..<4 {
                try await Task.sleep(for: .milliseconds(400))
                let extended = try await inbox.extendLease(id: 1, owner: "core-a", lease: .seconds(1))
                #expect(extended)
                let other = try await inbox.leaseNow("core-b")
                #expect(other == [])
            }
            let byOther = try await inbox.extendLease(id: 1, owner: "core-b", lease: .seconds(30))
            let unknown = try await inbox.extendLease(id: 42, owner: "core-a", lease: .seconds(30))
            #expect(!byOther && !unknown)
            _ = try await inbox.ack(id: 1)
            let afterAck = try await inbox.extendLease(id: 1, owner: "core-a", lease: .seconds(30))
            #expect(!afterAck)
        }
    }

    @Test func aReleasedDeliveryIsLeasableAtOnce() async throws {
        try await withInbox { _, inbox in
            _ = try await inbox.storeNew("evt-1")
            _ = try await inbox.storeNew("evt-2")
            let leased = try await inbox.leaseNow("core-a", lease: .seconds(60))
            #expect(leased == [1, 2])
            try await inbox.release(id: 2, owner: "core-a")
            // Releasing someone else's delivery does nothing.
            try await inbox.release(id: 1, owner: "core-b")
            let retaken = try await inbox.leaseNow("core-b")
            #expect(retaken == [2])
            let stillOwned = try await inbox.extendLease(id: 1, owner: "core-a", lease: .seconds(60))
            let released = try await inbox.extendLease(id: 2, owner: "core-a", lease: .seconds(60))
            #expect(stillOwned && !released)
            await #expect(throws: RedisInboxError.self) {
                try await inbox.lease(owner: "", after: nil, limit: 1, lease: .seconds(1), wait: .zero)
            }
        }
    }
}
