import Actions
import BotCore
import Foundation
import TestSupport
import Testing

@Suite("kubernetes read-only actions against the fake API")
struct KubernetesReadActionTests {
    let ctx = KubernetesFixture.context

    @Test func podsBySelectorListsStatusReadyRestartsAndEncodesTheSelector() async throws {
        try await KubernetesFixture.run { api, client in
            let output = try await KubernetesPods(client: client).run(["selector": .string("app=guardrail-engine")], context: ctx)
            #expect(output.summary.contains("2 `app=guardrail-engine` pods in `hybrid-ai`"))
            #expect(output.summary.contains("1 healthy, 1 not; 8 restarts"))
            let table = try #require(KubernetesFixture.table(output))
            #expect(table.columns == ["pod", "status", "ready", "restarts", "age"])
            #expect(table.rows == [
                ["guardrail-engine-7d9f-abcde", "Running", "1/1", "1", "60m"],
                ["guardrail-engine-7d9f-fghij", "CrashLoopBackOff", "0/1", "7", "60m"],
            ])
            #expect(output.previewFacts == [PreviewFact(name: "pods", value: .set(["guardrail-engine-7d9f-abcde", "guardrail-engine-7d9f-fghij"]))])
            let request = try #require(await api.requests.last)
            #expect(request.method == "GET")
            #expect(request.path == "/api/v1/namespaces/hybrid-ai/pods")
            #expect(request.rawQuery == "labelSelector=app%3Dguardrail-engine")
        }
    }

    @Test func notRunningInAllNamespacesForEmergencyStatus() async throws {
        try await KubernetesFixture.run { api, client in
            let output = try await KubernetesPods(client: client).run(
                ["namespace": .string("all"), "not_running": .bool(true)], context: ctx)
            let table = try #require(KubernetesFixture.table(output))
            #expect(table.columns.first == "namespace")
            #expect(table.rows.map { $0[1] } == ["nightly-report-ccccc", "feedback-processor-1-bbbbb", "guardrail-engine-7d9f-fghij"])
            #expect(table.rows.map { $0[2] } == ["Failed", "ImagePullBackOff", "CrashLoopBackOff"])
            #expect(output.summary.contains("3 not running pods in all namespaces"))
            #expect(await api.requests.last?.path == "/api/v1/pods")
        }
    }

    @Test func anotherNamespaceIsListedThere() async throws {
        try await KubernetesFixture.run { api, client in
            let output = try await KubernetesPods(client: client).run(
                ["selector": .string("app=report"), "namespace": .string("batch-jobs")], context: ctx)
            #expect(KubernetesFixture.table(output)?.rows.map(\.first) == ["nightly-report-ccccc"])
            #expect(output.summary.contains("in `batch-jobs`"))
            #expect(output.facts["namespace"] == "batch-jobs")
            #expect(await api.requests.last?.path == "/api/v1/namespaces/batch-jobs/pods")
        }
    }

    @Test func noMatchingPodsIsSaidPlainly() async throws {
        try await KubernetesFixture.run { _, client in
            let output = try await KubernetesPods(client: client).run(["selector": .string("app=nothing")], context: ctx)
            #expect(output.summary == "No `app=nothing` pods in `hybrid-ai`.")
            #expect(output.details.isEmpty)
        }
    }

    @Test func logsShowTheTailOfEachPodsFirstContainer() async throws {
        try await KubernetesFixture.run { api, client in
            let output = try await KubernetesLogs(client: client).run(["selector": .string("app=guardrail-engine")], context: ctx)
            let text = KubernetesFixture.text(output)
            #expect(text.contains("line 30: validated request"))
            #expect(text.contains("line 11: validated request"))
            #expect(!text.contains("line 10: validated request"))
            #expect(text.contains("panic: rules not loaded"))
            let logRequests = await api.requests.filter { $0.path.hasSuffix("/log") }
            #expect(logRequests.count == 2)
            #expect(logRequests.allSatisfy { $0.query["tailLines"] == "20" && $0.query["container"] == "engine" })
        }
    }

    @Test func logsTailIsBoundedAndContainerChecked() async throws {
        try await KubernetesFixture.run { api, client in
            let logs = KubernetesLogs(client: client)
            await #expect(throws: ActionFailure.self) { try await logs.run(["selector": .string("app=x"), "tail": .int(201)], context: ctx) }
            await #expect(throws: ActionFailure.self) { try await logs.run(["selector": .string("app=x"), "container": .string("a/b")], context: ctx) }
            #expect(await api.requests.isEmpty)
            let output = try await logs.run(["selector": .string("app=guardrail-engine"), "tail": .int(3)], context: ctx)
            #expect(KubernetesFixture.text(output).contains("line 28"))
            #expect(!KubernetesFixture.text(output).contains("line 27:"))
        }
    }

    @Test func logsRedactCredentials() async throws {
        let secretLines = [
            "db connect password=hunter2secret ok",
            "config token: abcdef123456",
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature",
            "Authorization: sk-live-0123456789",
            "aws AKIAIOSFODNN7EXAMPLE used",
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U seen",
            "using cluster token fake-k8s-token-0123456789",
            "-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg",
            "normal line with no secret",
            "markdown ``` fence in a log",
        ]
        try await KubernetesFixture.run(seed: { api in
            await api.add(.init(name: "leaky-1", labels: ["app": "leaky"], containers: [.init(name: "main", logs: secretLines)]))
        }) { _, client in
            let output = try await KubernetesLogs(client: client).run(["selector": .string("app=leaky")], context: ctx)
            let text = KubernetesFixture.text(output)
            for secret in ["hunter2secret", "abcdef123456", "payload.signature", "sk-live-0123456789", "AKIAIOSFODNN7EXAMPLE",
                           "dozjgNryP4J3jVmNHl0w5N", "fake-k8s-token-0123456789", "MIIEvQIBADANBg"] {
                #expect(!text.contains(secret), "\(secret) leaked")
            }
            #expect(text.contains("normal line with no secret"))
            #expect(text.contains("markdown ''' fence in a log"))
            #expect(text.components(separatedBy: "```").count == 3)
            #expect(text.contains("db connect password="))
            #expect(text.components(separatedBy: "[REDACTED]").count - 1 >= 8)
        }
    }

    @Test func logsOutputIsCapped() async throws {
        let long = (1...200).map { "request \($0) " + String(repeating: "x", count: 400) }
        try await KubernetesFixture.run(seed: { api in
            for i in 1...12 {
                await api.add(.init(name: "chatty-\(i)", labels: ["app": "chatty"], containers: [.init(name: "main", logs: long)]))
            }
        }) { api, client in
            let output = try await KubernetesLogs(client: client).run(["selector": .string("app=chatty"), "tail": .int(200)], context: ctx)
            let blocks = output.details.compactMap { detail -> String? in if case .text(let t) = detail { t } else { nil } }
            #expect(blocks.joined().count <= 6000 + 12 * 40)
            #expect(blocks.allSatisfy { block in block.split(separator: "\n").allSatisfy { $0.count <= 300 } })
            #expect(output.summary.contains("first 10 of 12 pods"))
            #expect(await api.requests.filter { $0.path.hasSuffix("/log") }.count == 10)
            #expect(blocks.first?.contains("request 200") == true)
        }
    }

    @Test func nodesShowReadyAndPressure() async throws {
        try await KubernetesFixture.run { _, client in
            let all = try await KubernetesNodes(client: client).run([:], context: ctx)
            #expect(all.summary == "1 of 3 nodes not Ready; 2 with a problem.")
            #expect(KubernetesFixture.table(all)?.rows.count == 3)
            let problems = try await KubernetesNodes(client: client).run(["not_ready": .bool(true)], context: ctx)
            let rows = try #require(KubernetesFixture.table(problems)?.rows)
            #expect(rows.map { $0[0] } == ["node-2", "node-3"])
            #expect(rows[0][1] == "Ready" && rows[0][2] == "MemoryPressure")
            #expect(rows[1][1] == "NotReady (Unknown)")
            #expect(rows[0][3] == "3d")
        }
    }

    @Test func topPodsSortsByCPUAndParsesQuantities() async throws {
        try await KubernetesFixture.run { api, client in
            let output = try await KubernetesTop(client: client).run(["kind": .string("pods")], context: ctx)
            let table = try #require(KubernetesFixture.table(output))
            #expect(table.rows == [
                ["api-gateway-5c6d-aaaaa", "1000m", "1Gi"],
                ["guardrail-engine-7d9f-abcde", "250m", "512Mi"],
                ["guardrail-engine-7d9f-fghij", "2m", "1Gi"],
            ])
            #expect(output.facts["top"] == "api-gateway-5c6d-aaaaa")
            let selected = try await KubernetesTop(client: client).run(["selector": .string("app=guardrail-engine")], context: ctx)
            #expect(KubernetesFixture.table(selected)?.rows.count == 2)
            #expect(await api.requests.last?.path == "/apis/metrics.k8s.io/v1beta1/namespaces/hybrid-ai/pods")
            #expect(await api.requests.last?.rawQuery == "labelSelector=app%3Dguardrail-engine")
        }
    }

    @Test func topNodesAndTopTenOnly() async throws {
        try await KubernetesFixture.run(seed: { api in
            for i in 1...14 {
                await api.add(.init(name: "worker-\(i)", labels: ["app": "worker"]))
                await api.setPodUsage("worker-\(i)", containers: ["a": .init(cpu: "\(i * 10)m", memory: "100Mi"), "b": .init(cpu: "5m", memory: "28Mi")])
            }
            await api.setNodeUsage("node-a", .init(cpu: "500m", memory: "2Gi"))
            await api.setNodeUsage("node-b", .init(cpu: "2", memory: "3Gi"))
        }) { _, client in
            let pods = try await KubernetesTop(client: client).run([:], context: ctx)
            let rows = try #require(KubernetesFixture.table(pods)?.rows)
            #expect(rows.count == 10)
            #expect(rows.first == ["worker-14", "145m", "128Mi"])
            #expect(pods.summary.contains("top 10 of 14"))
            let nodes = try await KubernetesTop(client: client).run(["kind": .string("nodes")], context: ctx)
            #expect(KubernetesFixture.table(nodes)?.rows == [["node-b", "2000m", "3Gi"], ["node-a", "500m", "2Gi"]])
        }
    }

    @Test("metrics API missing or down: metrics-server not available", arguments: [
        FakeKubernetesAPI.MetricsAPI.notInstalled, .unavailable,
    ])
    func metricsUnavailable(mode: FakeKubernetesAPI.MetricsAPI) async throws {
        try await KubernetesFixture.run { api, client in
            await api.set(metricsAPI: mode)
            do throws(ActionFailure) {
                _ = try await KubernetesTop(client: client).run(["kind": .string("nodes")], context: ctx)
                Issue.record("top succeeded without a metrics API")
            } catch {
                #expect(error.message.contains("metrics-server not available"))
                #expect(error.message.contains("metrics.k8s.io"))
            }
        }
    }

    @Test func configMapGetShowsDataAndPreviewFacts() async throws {
        try await KubernetesFixture.run { api, client in
            let all = try await KubernetesConfigMapGet(client: client).run(["name": .string("rate-limit-config")], context: ctx)
            #expect(KubernetesFixture.table(all)?.rows == [["burst", "200"], ["rate_limit", "1000"]])
            let some = try await KubernetesConfigMapGet(client: client).run(
                ["name": .string("rate-limit-config"), "keys": .string("rate_limit, missing")], context: ctx)
            #expect(KubernetesFixture.table(some)?.rows == [["rate_limit", "1000"], ["missing", "(not set)"]])
            #expect(some.summary.contains("not set: `missing`"))
            #expect(some.previewFacts.contains(PreviewFact(name: "rate-limit-config.rate_limit", value: .exact("1000"))))
            #expect(await api.requests.last?.path == "/api/v1/namespaces/hybrid-ai/configmaps/rate-limit-config")
        }
    }
}
