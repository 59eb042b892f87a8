import BotCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Slack
import Store
import Testing

@Suite("exactly once")
struct IdempotencyTests {
    @Test func theSameTriggerIDDeliveredTwiceRunsOnce() async throws {
        try await Harness.run { h in
            let body = h.commandForm(user: "U01ALICE", text: "scale api-gateway 10", id: "twice")
            let first = try await h.post(body)
            let second = try await h.post(body)
            #expect(first.status == .ok && second.status == .ok)
            #expect(second.text.contains("not run twice"))
            _ = await h.sink.wait(for: "twice")
            try await Task.sleep(for: .milliseconds(200))
            #expect(await h.kubernetes.requests.count == 1)
            #expect(await h.sink.received("twice").count == 1)
            #expect(try await h.auditKinds().filter { $0 == "command" }.count == 1)
        }
    }

    @Test func concurrentRedeliveriesRunOnce() async throws {
        try await Harness.run { h in
            let body = h.commandForm(user: "U01ALICE", text: "scale api-gateway 12", id: "burst")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 { group.addTask { try await h.post(body) } }
                try await group.waitForAll()
            }
            _ = await h.sink.wait(for: "burst")
            try await Task.sleep(for: .milliseconds(200))
            #expect(await h.kubernetes.requests.count == 1)
        }
    }

    @Test func aCommandInterruptedMidActionIsReportedNotRerun() async throws {
        try await Harness.run { h in
            // Simulate a crash: the delivery is stored and its execution claimed, but never finished.
            let command = SlashCommand(
                channelID: "C0LOCAL", userID: "U01ALICE", command: "/hybrid", text: "scale api-gateway 10",
                responseURL: h.responseURL("crashed"), triggerID: "trigger.crashed")
            let payload = String(decoding: try JSONEncoder().encode(command), as: UTF8.self)
            guard case .stored(let delivery) = try await h.store.storeDelivery(kind: "slack.command", key: "slack.trigger:trigger.crashed", payload: payload) else {
                Issue.record("not stored"); return
            }
            #expect(try await h.store.claimExecution(key: "slack.command:trigger.crashed", deliveryID: delivery.id) == .claimed)
            // The restarted core finds it pending.
            let pending = try await h.store.pendingDeliveries()
            #expect(pending.map(\.id) == [delivery.id])
            await h.processor.process(pending[0])
            #expect(try await SQLiteInbox(store: h.store).ack(id: pending[0].id) == .done)
            let reply = try #require(await h.sink.wait(for: "crashed").first)
            #expect(reply.text.contains("interrupted"))
            #expect(await h.kubernetes.requests.isEmpty)
            #expect(try await h.auditKinds().contains("interrupted"))
            #expect(try await h.store.pendingDeliveries().isEmpty)
            // Handed out once more (a lease that ran out while it was being reported): the answer is repeated, the
            // interruption is not audited a second time.
            await h.processor.process(pending[0])
            let replies = await h.sink.wait(for: "crashed", count: 2)
            #expect(replies.count == 2 && replies.allSatisfy { $0.text.contains("interrupted") })
            #expect(try await h.auditKinds().filter { $0 == "interrupted" }.count == 1)
            #expect(await h.kubernetes.requests.isEmpty)
        }
    }
}
