import Actions
import BotCore
import Engine
import Foundation
import Logging
import Plugins
import Store
import TestSupport
import Testing

/// Runbook II commands of the shipped plugins end to end against the stateful fake Kubernetes API.
@Suite("runbook II end to end")
struct RunbookKubernetesTests {
    static func shipped() -> CommandTable {
        PluginLoader.load(directory: Harness.repositoryRoot.path + "/plugins", knownActions: ActionCatalog.names).table
    }

    /// The shipped table with every `wait_seconds` of the named command shortened (a never-available workload would
    /// otherwise hold the test for the plugin's real 5 minutes).
    static func withShortWaits(_ table: CommandTable, path: String, seconds: Int) -> CommandTable {
        CommandTable(table.commands.map { spec in
            guard spec.path == path else { return spec }
            let steps = spec.steps.map { step in
                var parameters = step.parameters
                if parameters["wait_seconds"] != nil { parameters["wait_seconds"] = .int(seconds) }
                return StepTemplate(action: step.action, parameters: parameters, line: step.line)
            }
            return CommandSpec(
                plugin: spec.plugin, pattern: spec.pattern, summary: spec.summary, arguments: spec.arguments,
                destructive: spec.destructive, preview: spec.preview, steps: steps, verify: spec.verify, revert: spec.revert,
                cancels: spec.cancels, location: spec.location)
        })
    }

    static func seedPlatform(_ api: FakeKubernetesAPI) async {
        await api.add(.init(.statefulsets, name: "postgresql", replicas: 1))
        await api.add(.init(.statefulsets, name: "redis", replicas: 1))
        await api.add(.init(name: "ai-orchestrator", replicas: 2))
        await api.add(.init(name: "api-gateway", replicas: 3))
        await api.add(.init(name: "guardrail-engine", replicas: 2))
        await api.add(.init(name: "postgresql-pod-placeholder", replicas: 0))
        await api.add(.init(name: "postgresql-0", labels: ["app": "postgresql"]))
        await api.addConfigMap("guardrail-config", data: ["bypass_mode": "false", "bypass_duration": "0"])
        await api.set(rolloutDelay: .milliseconds(300))
    }

    func approve(_ h: Harness, _ slack: FakeSlackWebAPI, _ text: String, as requester: String, by approver: String) async throws -> FakeSlackWebAPI.Posted {
        _ = try await h.post(h.commandForm(user: requester, text: text, id: "ask-\(UUID().uuidString)"))
        let calls = await slack.wait { $0.contains { !$0.message.buttons.isEmpty } }
        let request = try #require(calls.last { !$0.message.buttons.isEmpty })
        let approve = try #require(request.message.buttons.first { $0.hasPrefix("approval.approve:") })
        try await h.click("approval.approve", value: String(approve.dropFirst("approval.approve:".count)), as: approver)
        return request
    }

    @Test func restartAllGoesInOrderAndStopsAtTheFirstWorkloadThatNeverComesBack() async throws {
        let api = FakeKubernetesAPI()
        await Self.seedPlatform(api)
        await api.setNeverAvailable("ai-orchestrator")
        try await api.serve { url in
            let slack = FakeSlackWebAPI()
            let settings = ["KUBERNETES_API_URL": url, "KUBERNETES_TOKEN": api.token, "KUBERNETES_NAMESPACE": api.namespace]
            let table = Self.withShortWaits(Self.shipped(), path: "emergency restart-all", seconds: 3)
            try await Harness.run(table: table, slack: slack, settings: settings) { h in
                let request = try await approve(h, slack, "emergency restart-all", as: "U01ALICE", by: "U04DAVE")
                let calls = await slack.wait(timeout: .seconds(30)) { $0.contains { $0.threadTS == request.ts && $0.message.text.contains("failed") } }
                let failure = try #require(calls.first { $0.threadTS == request.ts && $0.message.text.contains("failed") })
                #expect(failure.message.text.contains("ai-orchestrator"))
                let patched = await api.requests.filter { $0.method == "PATCH" }.map(\.path)
                #expect(patched == [
                    "/apis/apps/v1/namespaces/hybrid-ai/statefulsets/postgresql",
                    "/apis/apps/v1/namespaces/hybrid-ai/statefulsets/redis",
                    "/apis/apps/v1/namespaces/hybrid-ai/deployments/ai-orchestrator",
                ])  // api-gateway is never touched after the failure
                // Progress went to one message in the thread, edited in place.
                let progress = calls.filter { $0.message.text.hasPrefix("⏳ `") && $0.message.text.contains("in progress") }
                #expect(progress.count >= 2)
                #expect(progress.first?.method == "chat.postMessage")
                #expect(progress.dropFirst().allSatisfy { $0.method == "chat.update" && $0.ts == progress.first?.ts })
            }
        }
    }

    @Test func guardrailsBypassTurnsItselfOffAtTheDeadlineAcrossARestart() async throws {
        let api = FakeKubernetesAPI()
        await Self.seedPlatform(api)
        try await api.serve { url in
            let slack = FakeSlackWebAPI()
            let clock = TestClock()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-bypass-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let settings = ["KUBERNETES_API_URL": url, "KUBERNETES_TOKEN": api.token, "KUBERNETES_NAMESPACE": api.namespace]
            try await Harness.run(slack: slack, clock: clock, databaseDirectory: directory, settings: settings) { h in
                let request = try await approve(h, slack, "guardrails bypass on 30m", as: "U01ALICE", by: "U02BOB")
                let calls = await slack.wait { $0.contains { $0.threadTS == request.ts && $0.message.text.contains("Automatic revert") } }
                #expect(calls.contains { $0.message.text.contains("in 30 min") })
                #expect(await api.configMap("guardrail-config")?["bypass_mode"] == "true")
                #expect(await api.configMap("guardrail-config")?["bypass_duration"] == "30m")
            }
            // The bot restarts; 31 minutes later the new process turns the bypass off and says so in the thread.
            clock.advance(by: .seconds(31 * 60))
            try await Harness.run(slack: slack, clock: clock, databaseDirectory: directory, settings: settings) { h in
                let timers = TimerService(store: h.store, handlers: h.processor.timerHandlers, logger: Logger(label: "t"), now: { clock.now })
                await timers.recoverInterrupted()
                await timers.fireDue()
                #expect(await api.configMap("guardrail-config")?["bypass_mode"] == "false")
                let said = await slack.wait { $0.contains { $0.message.text.contains("reverted automatically") } }
                #expect(said.contains { $0.message.text.contains("guardrails bypass on 30m") })
            }
        }
    }

    /// Every destructive command of the shipped plugins stops before running: at an approval request, or at a preview
    /// that cannot be measured — never executed on the requester's word.
    @Test func everyShippedDestructiveCommandStopsAtAnApproval() async throws {
        let samples = [
            "cache flush", "db create-index analysis_results ticker", "db terminate", "db max-connections 300",
            "review queue clear feedback_queue", "models restart earnings-analyzer", "guardrails bypass on", "guardrails cache clear",
            "maintenance on", "emergency restart-all", "db restore nightly.dump", "guardrails rule ethics_check_enabled false",
        ]
        let destructive = Set(Self.shipped().commands.filter(\.destructive).map(\.path))
        let routed = Set(samples.compactMap { text -> String? in
            guard case .success(.plugin(let invocation)) = BotCore.Router(table: Self.shipped()).route(text) else { return nil }
            return invocation.spec.path
        })
        #expect(routed == destructive, "every shipped destructive command has a sample here")
        let api = FakeKubernetesAPI()
        await Self.seedPlatform(api)
        try await api.serve { url in
            let settings = ["KUBERNETES_API_URL": url, "KUBERNETES_TOKEN": api.token, "KUBERNETES_NAMESPACE": api.namespace]
            try await Harness.run(settings: settings) { h in
                for text in samples {
                    let (_, replies) = try await h.say(text, as: "U04DAVE")
                    let reply = replies.first?.text ?? ""
                    #expect(reply.contains("Approval needed") || reply.contains("could not"), "\(text): \(reply.prefix(200))")
                }
                let executed = try await h.store.auditRecords().filter { $0.kind == "action" }
                #expect(executed.isEmpty, "\(executed.map { $0.command ?? "" })")
                #expect(await api.requests.allSatisfy { $0.method == "GET" })
            }
        }
    }
}
