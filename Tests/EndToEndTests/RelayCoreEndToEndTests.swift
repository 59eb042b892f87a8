import BotCore
import Foundation
import RelayClient
import Slack
import Store
import Testing

/// The whole relay deployment: Slack → relay (verify, store, ack) → long-poll → core (`LeasePoller`, `CommandProcessor`
/// over `RemoteStore`) → Kubernetes, response_url, and the audit at the relay.
@Suite("core through the relay, end to end")
struct RelayCoreEndToEndTests {
    @Test func aScaleThroughTheRelayRunsOnceRepliesAndIsAuditedAtTheRelay() async throws {
        try await RelayBed.run(lease: .seconds(5), cores: ["core-a"]) { relay in
            _ = try relay.startCore("core-a")
            let h = relay.harness
            let (ack, replies) = try await h.say("scale api-gateway 10", as: "U01ALICE", id: "relay-scale")
            #expect(ack.status == .ok)
            #expect(ack.text.contains("Working on"))
            let reply = try #require(replies.first)
            #expect(reply.responseType == .inChannel)
            #expect(reply.text.contains("api-gateway") && reply.text.contains("*10*") && reply.text.contains("3 running before"))
            try await relay.settle()

            let requests = await relay.kubernetes.requests
            #expect(requests.count == 1)
            #expect(requests.first?.method == "PATCH")
            #expect(requests.first?.path == "/apis/apps/v1/namespaces/hybrid-ai/deployments/api-gateway/scale")
            #expect(requests.first?.body["spec.replicas"] == .int(10))
            #expect(await relay.kubernetes.replicaCount("api-gateway") == 10)

            // The delivery is done at the relay (not pending, but known).
            let records = try await relay.store.auditRecords()
            #expect(records.map(\.kind) == ["command", "verification", "action", "result"])
            guard case .int(let deliveryID)? = records.first?.detail["delivery_id"] else {
                Issue.record("the command record has no delivery_id: \(String(describing: records.first))")
                return
            }
            #expect(try await relay.store.pendingDeliveries().isEmpty)
            #expect(try await relay.inbox.ack(id: Int64(deliveryID)) == .done)
            // The relay wrote the `command` record; every record of the core names it.
            #expect(records[0].detail["core"] == nil)
            for record in records.dropFirst() {
                #expect(record.detail["core"] == "core-a", "\(record.kind): \(record.detail)")
                #expect(record.user == "U01ALICE" && record.channel == "C0LOCAL")
            }
            #expect(records.last?.outcome == "ok")
            let verified = try await relay.store.verifyAudit()
            let trail = try await relay.store.auditRecords().map { "\($0.kind) \($0.detail)" }
            #expect(verified == .intact(records: 4), "\(trail)")

            // Slack retries the same command: acked, not run again.
            let again = try await h.post(h.commandForm(user: "U01ALICE", text: "scale api-gateway 10", id: "relay-scale"))
            #expect(again.text.contains("not run twice"))
            try await Task.sleep(for: .milliseconds(300))
            #expect(await relay.kubernetes.requests.count == 1)
            #expect(await relay.sink.received("relay-scale").count == 1)
        }
    }

    @Test func aDeliveryRedeliveredAfterItsCoreDiedIsReportedInterruptedAndNotRun() async throws {
        try await RelayBed.run(lease: .seconds(1), cores: ["core-a"]) { relay in
            let delivery = try await relay.storeCommand("scale api-gateway 10", as: "U01ALICE", id: "redelivered")
            // A first core leases it, claims its execution … and dies mid-action (no renewal, no ack).
            let dead = relay.connection("core-dead")
            let leased = try await RemoteInbox(relay: dead).lease(owner: "core-dead", after: nil, limit: 16, lease: relay.lease, wait: .zero)
            #expect(leased == [delivery])
            let claim = try await RemoteStore(relay: dead, redactor: .none).claimExecution(key: "slack.command:trigger.redelivered", deliveryID: delivery.id)
            #expect(claim == .claimed)

            // core-a gets it once the lease ran out, finds the execution started, and says so instead of running it.
            _ = try relay.startCore("core-a")
            let reply = try #require(await relay.sink.wait(for: "redelivered").first)
            #expect(reply.text.contains("interrupted"))
            #expect(reply.responseType == .inChannel)
            try await relay.settle()
            try await Task.sleep(for: .milliseconds(200))
            #expect(await relay.kubernetes.requests.isEmpty)
            #expect(await relay.sink.received("redelivered").count == 1)
            let records = try await relay.store.auditRecords()
            #expect(records.map(\.kind) == ["command", "interrupted"])
            #expect(records.last?.detail["core"] == "core-a")
            #expect(try await relay.store.pendingDeliveries().isEmpty)
            let verified = try await relay.store.verifyAudit()
            let trail = try await relay.store.auditRecords().map { "\($0.kind) \($0.detail)" }
            #expect(verified == .intact(records: 2), "\(trail)")
        }
    }

    @Test func twoCoresShareFortyCommandsAndEachIsAnsweredOnce() async throws {
        try await RelayBed.run(lease: .seconds(5), cores: ["core-a", "core-b"]) { relay in
            _ = try relay.startCore("core-a")
            _ = try relay.startCore("core-b")
            let h = relay.harness
            let ids = (0..<40).map { "many-\($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids {
                    group.addTask {
                        let ack = try await h.post(h.commandForm(user: "U09EVE", text: "help", id: id))
                        #expect(ack.status == .ok)
                    }
                }
                try await group.waitForAll()
            }
            for id in ids { _ = await relay.sink.wait(for: id) }
            try await relay.settle()
            try await Task.sleep(for: .milliseconds(300))
            for id in ids { #expect(await relay.sink.received(id).count == 1, "\(id)") }
            let records = try await relay.store.auditRecords()
            let results = records.filter { $0.kind == "result" }
            #expect(records.filter { $0.kind == "command" }.count == 40)
            #expect(results.count == 40)
            #expect(Set(results.compactMap { $0.detail["trigger_id"]?.stringValue }) == Set(ids.map { "trigger.\($0)" }))
            let cores = results.compactMap { $0.detail["core"]?.stringValue }
            #expect(cores.count == 40)
            #expect(Set(cores) == ["core-a", "core-b"], "\(Dictionary(grouping: cores, by: { $0 }).mapValues(\.count))")
            let verified = try await relay.store.verifyAudit()
            let trail = try await relay.store.auditRecords().map { "\($0.kind) \($0.detail)" }
            #expect(verified == .intact(records: 80), "\(trail)")
        }
    }

    @Test func leaseRenewalKeepsALongActionWithItsCore() async throws {
        try await RelayBed.run(lease: .seconds(2), cores: ["core-a", "core-b"]) { relay in
            await relay.kubernetes.set(mode: .slow(.milliseconds(3_000)))
            _ = try relay.startCore("core-a")
            _ = try relay.startCore("core-b")
            let (ack, replies) = try await relay.harness.say("scale api-gateway 7", as: "U01ALICE", id: "slow")
            #expect(ack.status == .ok)
            let reply = try #require(replies.first)
            #expect(!reply.text.contains("interrupted"))
            #expect(reply.text.contains("*7*"))
            try await relay.settle()
            try await Task.sleep(for: .milliseconds(300))
            // 3 s of action under a 2 s lease (the shortest the relay allows): renewed, never handed to the other core.
            #expect(await relay.kubernetes.requests.count == 1)
            #expect(await relay.sink.received("slow").count == 1)
            let kinds = try await relay.store.auditRecords().map(\.kind)
            #expect(!kinds.contains("interrupted"))
            #expect(kinds.filter { $0 == "result" }.count == 1)
        }
    }

    /// BUG: the release at the end of the drain wakes the stopped core's own long-poll, still waiting at the relay
    /// (cancelled only on the core's side), which leases the delivery straight back to the stopped core: the other core
    /// gets it only after the whole lease. (Long-polls of 3 s here; 25 s by default, longer than the 20 s drain.)
    @Test func aStoppedCoreGivesBackItsRunningDeliveryAndTheOtherCoreGetsItAtOnce() async throws {
        try await RelayBed.run(lease: .seconds(30), cores: ["core-a", "core-b"]) { relay in
            // The PATCH takes 8 s: core-a's action (which, unlike in the real binary, outlives core-a's stop in this
            // process) must not finish, and ack, before core-b gets the delivery; on a loaded machine 1.5 s was too short.
            await relay.kubernetes.set(mode: .slow(.seconds(8)))
            let coreA = try relay.startCore("core-a", wait: .seconds(3), drainDeadline: .milliseconds(200))
            let h = relay.harness
            #expect(try await h.post(h.commandForm(user: "U01ALICE", text: "scale api-gateway 4", id: "handover")).status == .ok)
            // core-a is in the middle of the PATCH when it is told to stop.
            let deadline = ContinuousClock.now + .seconds(5)
            while await relay.kubernetes.requests.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            try #require(await relay.kubernetes.requests.count == 1)
            coreA.cancel()
            await coreA.value  // drained for 200 ms, then its lease was given back
            let stoppedAt = ContinuousClock.now
            _ = try relay.startCore("core-b")
            // core-b gets it at once (not after the 30 s lease), finds it started, and reports it interrupted.
            let replies = await relay.sink.wait(for: "handover", timeout: .seconds(7)) { $0.text.contains("interrupted") }
            #expect(replies.contains { $0.text.contains("interrupted") }, "the released delivery did not reach core-b")
            #expect(ContinuousClock.now - stoppedAt < .seconds(6))
            try await relay.settle()
            #expect(await relay.kubernetes.requests.count == 1)
            let interrupted = try await relay.store.auditRecords().filter { $0.kind == "interrupted" }
            #expect(interrupted.map { $0.detail["core"]?.stringValue } == ["core-b"])
        }
    }
}
