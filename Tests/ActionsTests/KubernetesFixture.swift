import Actions
import BotCore
import Foundation
import HTTPDriver
import Logging
import TestSupport

/// A fake Kubernetes API seeded like the Hybrid AI namespace, a real client against it, and an action context.
enum KubernetesFixture {
    static let context = ActionContext(
        userID: "U01ALICE", channelID: "C0OPS", command: "test",
        logger: { var logger = Logger(label: "kubernetes-tests"); logger.logLevel = .critical; return logger }())

    /// Serves a fresh fake (seeded by `seed`, by default ``hybridAI(_:)``) and hands over a client that polls every 40 ms.
    static func run(
        token: String? = nil, timeout: Duration = .seconds(5),
        seed: @escaping @Sendable (FakeKubernetesAPI) async -> Void = { await hybridAI($0) },
        _ body: @escaping @Sendable (FakeKubernetesAPI, KubernetesClient) async throws -> Void
    ) async throws {
        let api = FakeKubernetesAPI()
        await seed(api)
        let http = HTTPClient(threads: 2)
        do {
            try await api.serve { url in
                let config = KubernetesConfig(
                    apiURL: url, token: .value(token ?? api.token), caFile: nil, namespace: api.namespace, timeout: timeout)
                try await body(api, KubernetesClient(config: config, http: http, pollInterval: .milliseconds(40)))
            }
        } catch {
            await http.shutdown()
            throw error
        }
        await http.shutdown()
    }

    static func hybridAI(_ api: FakeKubernetesAPI) async {
        await api.add(.init(name: "api-gateway", replicas: 3))
        await api.add(.init(name: "guardrail-engine", replicas: 2))
        await api.add(.init(name: "earnings-analyzer", replicas: 1, containers: [
            .init(name: "model", image: "registry.local/earnings:2.1", limits: ["memory": "4Gi"], requests: ["memory": "2Gi"]),
            .init(name: "sidecar", image: "registry.local/envoy:1.30", limits: ["memory": "256Mi"]),
        ]))
        await api.add(.init(.statefulsets, name: "postgresql", replicas: 1))
        await api.add(.init(name: "guardrail-engine-7d9f-abcde", labels: ["app": "guardrail-engine"], containers: [
            .init(name: "engine", restarts: 1, logs: (1...30).map { "line \($0): validated request" }),
        ]))
        await api.add(.init(name: "guardrail-engine-7d9f-fghij", labels: ["app": "guardrail-engine"], containers: [
            .init(name: "engine", ready: false, restarts: 7, waitingReason: "CrashLoopBackOff", logs: ["starting", "panic: rules not loaded"]),
        ]))
        await api.add(.init(name: "api-gateway-5c6d-aaaaa", labels: ["app": "api-gateway"]))
        await api.add(.init(name: "feedback-processor-1-bbbbb", labels: ["app": "feedback-processor"], phase: "Pending",
                            containers: [.init(name: "main", ready: false, waitingReason: "ImagePullBackOff")]))
        await api.add(.init(name: "nightly-report-ccccc", namespace: "batch-jobs", labels: ["app": "report"], phase: "Failed"))
        await api.add(.init(name: "node-1"))
        await api.add(.init(name: "node-2", trueConditions: ["MemoryPressure"]))
        await api.add(.init(name: "node-3", ready: "Unknown"))
        await api.addConfigMap("rate-limit-config", data: ["rate_limit": "1000", "burst": "200"])
        await api.setPodUsage("guardrail-engine-7d9f-abcde", containers: ["engine": .init(cpu: "250m", memory: "512Mi")])
        await api.setPodUsage("guardrail-engine-7d9f-fghij", containers: ["engine": .init(cpu: "1500000n", memory: "1048576Ki")])
        await api.setPodUsage("api-gateway-5c6d-aaaaa", containers: ["main": .init(cpu: "1", memory: "1Gi")])
        await api.setNodeUsage("node-1", .init(cpu: "1250m", memory: "6Gi"))
        await api.setNodeUsage("node-2", .init(cpu: "3", memory: "14Gi"))
    }

    /// All the text an operator would see: summary, tables, paragraphs.
    static func text(_ output: ActionOutput) -> String {
        var parts = [output.summary]
        for detail in output.details {
            switch detail {
            case .table(let table): parts += [table.columns.joined(separator: " ")] + table.rows.map { $0.joined(separator: " | ") }
            case .text(let text): parts.append(text)
            case .indicator(let name, let value, _, _): parts.append("\(name) \(value)")
            }
        }
        return parts.joined(separator: "\n")
    }

    static func table(_ output: ActionOutput) -> OutputTable? {
        for case .table(let table) in output.details { return table }
        return nil
    }
}

/// Collects progress lines from an action.
actor ProgressLog {
    private(set) var lines: [String] = []
    func add(_ line: String) { lines.append(line) }
}
