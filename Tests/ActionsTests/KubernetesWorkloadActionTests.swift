import Actions
import BotCore
import Foundation
import TestSupport
import Testing

@Suite("kubernetes rollout, scale and resource actions against the fake API")
struct KubernetesWorkloadActionTests {
    let ctx = KubernetesFixture.context

    @Test func rolloutRestartWaitsThroughUnavailableToAvailable() async throws {
        try await KubernetesFixture.run { api, client in
            // 1 s of "2/3 available" between 0.5 s and 1.5 s: room for a poll (every 40 ms) on a loaded machine.
            await api.set(rolloutDelay: .milliseconds(1_500))
            let progress = ProgressLog()
            let action = KubernetesRolloutRestart(client: client, progress: { await progress.add($0) })
            let started = ContinuousClock.now
            let output = try await action.run(["name": .string("api-gateway"), "wait_seconds": .int(10)], context: ctx)
            #expect(ContinuousClock.now - started >= .milliseconds(1_500))
            #expect(output.summary.contains("Restarted deployment `api-gateway` in `hybrid-ai`: 3/3 replicas updated and available"))
            let lines = await progress.lines
            #expect(lines.first == "Restarting deployment `api-gateway`…")
            #expect(lines.contains { $0.contains("2/3 available") && $0.contains("1 unavailable") })
            #expect(lines.last?.contains("3/3 updated, 3/3 available") == true)

            let patch = try #require(await api.requests.first { $0.method == "PATCH" })
            #expect(patch.path == "/apis/apps/v1/namespaces/hybrid-ai/deployments/api-gateway")
            #expect(patch.contentType == "application/strategic-merge-patch+json")
            let annotations = try #require(await api.workload("api-gateway")?.templateAnnotations)
            let stamp = try #require(annotations["kubectl.kubernetes.io/restartedAt"])
            let date = try Date(stamp, strategy: .iso8601)
            #expect(abs(date.timeIntervalSinceNow) < 30)
            #expect(await api.workload("api-gateway")?.generation == 2)
        }
    }

    @Test func rolloutThatNeverBecomesAvailableTimesOutNamingTheState() async throws {
        try await KubernetesFixture.run { api, client in
            await api.set(rolloutDelay: .milliseconds(150))
            await api.setNeverAvailable("guardrail-engine")
            do throws(ActionFailure) {
                _ = try await KubernetesRolloutRestart(client: client).run(
                    ["name": .string("guardrail-engine"), "wait_seconds": .int(1)], context: ctx)
                Issue.record("a rollout that never becomes available succeeded")
            } catch {
                #expect(error.message.contains("deployment `guardrail-engine` did not finish its rollout within 1s"))
                #expect(error.message.contains("last state: 2/2 updated, 0/2 available, 0 ready, 2 unavailable"))
                #expect(error.message.contains("the restart was requested"))
                #expect(error.message.contains("kubernetes.pods"))
            }
        }
    }

    @Test func rolloutRestartWithoutWaitingAndForAStatefulSet() async throws {
        try await KubernetesFixture.run { api, client in
            let quick = try await KubernetesRolloutRestart(client: client).run(
                ["name": .string("api-gateway"), "wait_seconds": .int(0)], context: ctx)
            #expect(quick.summary.contains("not waiting"))
            #expect(await api.requests.count == 1)
            let sts = try await KubernetesRolloutRestart(client: client).run(
                ["name": .string("postgresql"), "kind": .string("statefulset"), "wait_seconds": .int(5)], context: ctx)
            #expect(sts.summary.contains("Restarted statefulset `postgresql`"))
            #expect(await api.workload("postgresql", kind: .statefulsets)?.templateAnnotations["kubectl.kubernetes.io/restartedAt"] != nil)
        }
    }

    @Test func progressAlsoReachesTheRunsOwnReporter() async throws {
        try await KubernetesFixture.run { _, client in
            let progress = ProgressLog()
            let context = ActionContext(
                userID: "U01ALICE", channelID: "C0OPS", command: "test", logger: ctx.logger, progress: { await progress.add($0) })
            _ = try await KubernetesRolloutRestart(client: client).run(["name": .string("api-gateway")], context: context)
            #expect(await progress.lines.count >= 2)
        }
    }

    @Test func scaleStatefulSetAndWaitForReady() async throws {
        try await KubernetesFixture.run { api, client in
            let output = try await KubernetesScale(client: client).run(
                ["deployment": .string("postgresql"), "kind": .string("statefulset"), "replicas": .int(3), "wait_seconds": .int(5)],
                context: ctx)
            #expect(output.summary.contains("Scaled statefulset `postgresql` in `hybrid-ai` to *3* replicas (1 running before the change)."))
            #expect(output.summary.contains("All 3 are ready"))
            let patch = try #require(await api.requests.first { $0.method == "PATCH" })
            #expect(patch.path == "/apis/apps/v1/namespaces/hybrid-ai/statefulsets/postgresql/scale")
            #expect(patch.contentType == "application/merge-patch+json")
            #expect(await api.workload("postgresql", kind: .statefulsets)?.replicas == 3)
        }
    }

    @Test func scaleWaitTimesOutWhenReplicasNeverComeUp() async throws {
        try await KubernetesFixture.run { api, client in
            await api.setNeverAvailable("api-gateway")
            do throws(ActionFailure) {
                _ = try await KubernetesScale(client: client).run(
                    ["deployment": .string("api-gateway"), "replicas": .int(5), "wait_seconds": .int(1)], context: ctx)
                Issue.record("scale wait succeeded although replicas never came up")
            } catch {
                #expect(error.message.contains("the new count was set"))
                #expect(error.message.contains("3/5 available"))
            }
            #expect(await api.workload("api-gateway")?.replicas == 5)
        }
    }

    @Test func scaleRefusesAnUnknownKind() async throws {
        try await KubernetesFixture.run { api, client in
            await #expect(throws: ActionFailure.self) {
                try await KubernetesScale(client: client).run(
                    ["deployment": .string("api-gateway"), "replicas": .int(2), "kind": .string("daemonset")], context: ctx)
            }
            #expect(await api.requests.isEmpty)
        }
    }

    @Test func patchResourcesSetsLimitsAndHalfRequestsOnTheNamedContainerOnly() async throws {
        try await KubernetesFixture.run { api, client in
            let output = try await KubernetesPatchResources(client: client).run(
                ["deployment": .string("earnings-analyzer"), "memory": .string("8Gi"), "gpus": .int(1)], context: ctx)
            #expect(output.summary.contains("memory limit 8Gi, request 4Gi, 1 GPU"))
            #expect(KubernetesFixture.table(output)?.rows.first == ["limits.memory", "4Gi", "8Gi"])
            let patch = try #require(await api.requests.first { $0.method == "PATCH" })
            #expect(patch.contentType == "application/strategic-merge-patch+json")
            let containers = try #require(await api.workload("earnings-analyzer")?.containers)
            #expect(containers.count == 2)
            #expect(containers[0] == FakeKubernetesAPI.Container(
                name: "model", image: "registry.local/earnings:2.1",
                limits: ["memory": "8Gi", "nvidia.com/gpu": "1"], requests: ["memory": "4Gi", "nvidia.com/gpu": "1"]))
            #expect(containers[1].image == "registry.local/envoy:1.30")
            #expect(containers[1].limits == ["memory": "256Mi"])

            _ = try await KubernetesPatchResources(client: client).run(
                ["deployment": .string("earnings-analyzer"), "memory": .string("3Gi"), "container": .string("sidecar")], context: ctx)
            let sidecar = try #require(await api.workload("earnings-analyzer")?.containers[1])
            #expect(sidecar.limits == ["memory": "3Gi"] && sidecar.requests == ["memory": "1536Mi"])
        }
    }

    @Test("invalid memory or gpus never reach the API", arguments: [
        ["memory": ResolvedValue.string("8GB")], ["memory": .string("lots")], ["memory": .string("8Gi"), "gpus": .int(-1)],
        ["memory": .string("8Gi"), "gpus": .string("two")], ["memory": .string("8Gi"), "container": .string("../x")],
    ])
    func patchResourcesValidation(extra: [String: ResolvedValue]) async throws {
        try await KubernetesFixture.run { api, client in
            await #expect(throws: ActionFailure.self) {
                try await KubernetesPatchResources(client: client).run(
                    extra.merging(["deployment": .string("earnings-analyzer")]) { a, _ in a }, context: ctx)
            }
            #expect(await api.requests.isEmpty)
        }
    }

    @Test func patchResourcesNamesAMissingContainer() async throws {
        try await KubernetesFixture.run { api, client in
            do throws(ActionFailure) {
                _ = try await KubernetesPatchResources(client: client).run(
                    ["deployment": .string("earnings-analyzer"), "memory": .string("8Gi"), "container": .string("gpu")], context: ctx)
                Issue.record("patched a container that does not exist")
            } catch {
                #expect(error.message.contains("has no container `gpu` (it has: model, sidecar)"))
            }
            #expect(await api.requests.allSatisfy { $0.method == "GET" })
        }
    }

    @Test func fakeRefusesAMergePatchThatWouldDropTheContainerImage() async throws {
        // Why the action must use a strategic merge patch: a JSON merge patch replaces the containers list.
        try await KubernetesFixture.run { _, client in
            let body = Array(#"{"spec":{"template":{"spec":{"containers":[{"name":"model","resources":{"limits":{"memory":"8Gi"}}}]}}}}"#.utf8)
            do throws(KubernetesError) {
                _ = try await client.send(
                    "PATCH", "/apis/apps/v1/namespaces/hybrid-ai/deployments/earnings-analyzer", body: body,
                    contentType: "application/merge-patch+json")
                Issue.record("a merge patch dropping the image was accepted")
            } catch {
                #expect(error.status == 422)
                #expect(error.message.contains("spec.template.spec.containers[0].image: Required value"))
            }
            do throws(KubernetesError) {
                _ = try await client.send(
                    "PATCH", "/apis/apps/v1/namespaces/hybrid-ai/deployments/earnings-analyzer", body: body, contentType: "application/json")
                Issue.record("a PATCH with application/json was accepted")
            } catch {
                #expect(error.status == 415)
                #expect(error.reason == "UnsupportedMediaType")
            }
        }
    }
}
