import BotCore
import Engine
import Foundation
import Logging
import Store
import Testing

/// A command that must undo itself (the guardrails bypass pattern): the revert is durable, fires on time with an
/// injected clock, survives a restart, fires once, and a cancelling command ends it early.
@Suite("timed reverts")
struct TimedRevertTests {
    static let table: CommandTable = {
        let drain = CommandSpec(
            plugin: "test", pattern: try! CommandPattern(parsing: "drain {duration=30m}"), summary: "Scale api-gateway to 1 for a while",
            arguments: ["duration": .pattern(#"^[0-9]{1,3}[smh]$"#)],
            steps: [StepTemplate(action: "kubernetes.scale", parameters: ["deployment": .string("api-gateway"), "replicas": .int(1)])],
            revert: RevertSpec(key: "drain", after: "{duration}", steps: [
                StepTemplate(action: "kubernetes.scale", parameters: ["deployment": .string("api-gateway"), "replicas": .int(3)]),
            ]))
        let undrain = CommandSpec(
            plugin: "test", pattern: try! CommandPattern(parsing: "undrain"), summary: "End the drain now",
            steps: [StepTemplate(action: "kubernetes.scale", parameters: ["deployment": .string("api-gateway"), "replicas": .int(3)])],
            cancels: "drain")
        return CommandTable([drain, undrain])
    }()

    static let policy = PermissionPolicy(
        roles: ["operator": Role(name: "operator", users: ["U01ALICE"])],
        grants: [Grant(roles: ["operator"], allow: [CommandGlob("*")])])

    func timers(_ h: Harness, _ clock: TestClock) -> TimerService {
        TimerService(store: h.store, handlers: h.processor.timerHandlers, logger: Logger(label: "timers"), now: { clock.now })
    }

    @Test func revertFiresAtTheDeadlineAlsoAfterARestartAndOnlyOnce() async throws {
        let clock = TestClock()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-revert-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Harness.run(table: Self.table, policy: Self.policy, clock: clock, databaseDirectory: directory) { h in
            let (_, replies) = try await h.say("drain 30m", as: "U01ALICE")
            let text = try #require(replies.first?.text)
            #expect(text.contains("Automatic revert at"))
            #expect(text.contains("in 30 min"))
            #expect(await h.kubernetes.replicaCount("api-gateway") == 1)
            clock.advance(by: .seconds(29 * 60))
            await timers(h, clock).fireDue()
            #expect(await h.kubernetes.replicaCount("api-gateway") == 1)  // not yet
        }
        // The bot was down when the deadline passed; the next process turns it back.
        clock.advance(by: .seconds(2 * 60))
        try await Harness.run(table: Self.table, policy: Self.policy, clock: clock, databaseDirectory: directory) { h in
            let service = timers(h, clock)
            await service.recoverInterrupted()
            await service.fireDue()
            #expect(await h.kubernetes.replicaCount("api-gateway") == 3)
            #expect(try await h.store.timerState(key: "revert:drain") == "done")
            let reverts = try await h.store.auditRecords().filter { $0.kind == "revert" }
            #expect(reverts.count == 1 && reverts.first?.outcome == "ok")
            // Nothing fires twice.
            await h.kubernetes.remove("api-gateway")
            await service.fireDue()
            #expect(try await h.store.auditRecords().filter { $0.kind == "revert" }.count == 1)
        }
    }

    @Test func cancellingCommandEndsItEarly() async throws {
        let clock = TestClock()
        try await Harness.run(table: Self.table, policy: Self.policy, clock: clock) { h in
            _ = try await h.say("drain 2h", as: "U01ALICE")
            let (_, replies) = try await h.say("undrain", as: "U01ALICE")
            #expect(replies.first?.text.contains("automatic revert (`drain`) is cancelled") == true)
            #expect(try await h.store.timerState(key: "revert:drain") == "cancelled")
            clock.advance(by: .seconds(3 * 3600))
            let before = await h.kubernetes.requests.count
            await timers(h, clock).fireDue()
            #expect(await h.kubernetes.requests.count == before)
        }
    }

    @Test func aFailedRevertIsRetriedAndSaidOnce() async throws {
        let clock = TestClock()
        try await Harness.run(table: Self.table, policy: Self.policy, clock: clock) { h in
            _ = try await h.say("drain 10m", as: "U01ALICE")
            await h.kubernetes.remove("api-gateway")  // the revert's scale now fails (404)
            clock.advance(by: .seconds(11 * 60))
            let service = timers(h, clock)
            await service.fireDue()
            #expect(try await h.store.timerState(key: "revert:drain") == "pending")
            clock.advance(by: .seconds(31))
            await service.fireDue()
            let failures = try await h.store.auditRecords().filter { $0.kind == "revert" && $0.outcome == "error" }
            #expect(failures.count == 2)
        }
    }

    @Test func durationsParse() {
        #expect(RevertSpec.seconds("90s") == 90)
        #expect(RevertSpec.seconds("30m") == 1800)
        #expect(RevertSpec.seconds("24h") == 86_400)
        for bad in ["", "m", "0m", "-5m", "25h", "5d", "5 m", "1.5h", "30"] {
            #expect(RevertSpec.seconds(bad) == nil, "\(bad)")
        }
    }
}
