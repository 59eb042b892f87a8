import RedisDriver
import RedisInbox
import Store
import TestSupport
import Testing

/// Several relays and cores on one inbox: every delivery processed exactly once, and none lost to a stalled core.
@Suite struct RedisInboxConcurrencyTests {
    @Test func aThousandDeliveriesAreEachProcessedExactlyOnceByTwoConsumers() async throws {
        try await RedisTestServer.with { url in
            let total = 1_000
            let relays = [RedisStreamInbox(url: url), RedisStreamInbox(url: url)]
            let cores = [RedisStreamInbox(url: url), RedisStreamInbox(url: url)]
            let processed = ProcessedIDs()
            let perCore = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for (index, core) in cores.enumerated() {
                    group.addTask {
                        let owner = "core-\(index)"
                        var mine = 0
                        let deadline = ContinuousClock.now + .seconds(60)
                        while processed.distinct < total, ContinuousClock.now < deadline {
                            let leased = try await core.lease(
                                owner: owner, after: nil, limit: 25, lease: .seconds(60), wait: .milliseconds(200))
                            for delivery in leased {
                                processed.record(delivery.id)
                                let acked = try await core.ack(id: delivery.id)
                                #expect(acked == .done)
                                mine += 1
                            }
                        }
                        return (owner, mine)
                    }
                }
                // Stored concurrently, through two relays, while the cores already consume.
                try await withThrowingTaskGroup(of: DeliveryStoreResult.self) { stores in
                    for index in 0..<total {
                        stores.addTask {
                            try await relays[index % 2].store(kind: "slack", key: "evt-\(index)", payload: "\(index)", audit: nil)
                        }
                    }
                    var ids: [Int64] = []
                    for try await result in stores {
                        guard case .stored(let delivery) = result else {
                            Issue.record("unexpected \(result)")
                            continue
                        }
                        ids.append(delivery.id)
                    }
                    #expect(ids.sorted() == (1...Int64(total)).map { $0 })
                }
                var counts: [String: Int] = [:]
                for try await (owner, count) in group { counts[owner] = count }
                return counts
            }
            let counts = processed.snapshot
            #expect(counts.count == total)
            #expect(counts.values.allSatisfy { $0 == 1 }, "processed twice: \(counts.filter { $0.value > 1 }.keys.sorted())")
            #expect(Set(counts.keys) == Set((1...Int64(total)).map { $0 }))
            #expect(perCore.values.reduce(0, +) == total)
            // Both really competed (about half each in practice), so the exactly-once check means something.
            #expect(perCore.count == 2 && perCore.values.allSatisfy { $0 > 0 }, "\(perCore)")
            let leftover = try await cores[0].leaseNow("core-check")
            #expect(leftover == [])
            for inbox in relays + cores { await inbox.close() }
        }
    }

    @Test func aConsumerThatStopsAckingLosesItsDeliveriesToTheOther() async throws {
        try await withInbox { url, inbox in
            for index in 1...10 { _ = try await inbox.storeNew("evt-\(index)") }
            let stalled = RedisStreamInbox(url: url)
            let healthy = RedisStreamInbox(url: url)
            let stalledIDs = try await stalled.leaseNow("core-stalled", limit: 5, lease: .milliseconds(300))
            #expect(stalledIDs == [1, 2, 3, 4, 5])
            var processed: [Int64] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while processed.count < 10, ContinuousClock.now < deadline {
                let leased = try await healthy.lease(
                    owner: "core-healthy", after: nil, limit: 10, lease: .seconds(30), wait: .milliseconds(100))
                for delivery in leased {
                    processed.append(delivery.id)
                    _ = try await healthy.ack(id: delivery.id)
                }
            }
            // Usually 6…10 first, then 1…5 once the stalled lease ran out (on a slow machine it may run out sooner).
            #expect(processed.sorted() == Array(1...10))
            #expect(processed.count == 10)
            // The stalled core finds out when it tries to extend or ack late.
            let extended = try await stalled.extendLease(id: 1, owner: "core-stalled", lease: .seconds(30))
            #expect(!extended)
            let lateAck = try await stalled.ack(id: 1)
            #expect(lateAck == .done)
            await stalled.close()
            await healthy.close()
        }
    }
}
