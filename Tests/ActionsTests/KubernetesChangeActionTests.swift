import Actions
import BotCore
import Foundation
import TestSupport
import Testing

@Suite("kubernetes delete, configmap and job actions against the fake API")
struct KubernetesChangeActionTests {
    let ctx = KubernetesFixture.context

    @Test func deletePodsBySelectorReportsNames() async throws {
        try await KubernetesFixture.run { api, client in
            let output = try await KubernetesDeletePods(client: client).run(["selector": .string("app=guardrail-engine")], context: ctx)
            #expect(output.summary == "Deleted 2 pods matching `app=guardrail-engine` in `hybrid-ai`: `guardrail-engine-7d9f-abcde`, `guardrail-engine-7d9f-fghij`.")
            #expect(output.facts["deleted"] == "guardrail-engine-7d9f-abcde,guardrail-engine-7d9f-fghij")
            let remaining = await api.podNames()
            #expect(remaining == ["api-gateway-5c6d-aaaaa", "feedback-processor-1-bbbbb"])
            let deletes = await api.requests.filter { $0.method == "DELETE" }.map(\.path)
            #expect(deletes == [
                "/api/v1/namespaces/hybrid-ai/pods/guardrail-engine-7d9f-abcde",
                "/api/v1/namespaces/hybrid-ai/pods/guardrail-engine-7d9f-fghij",
            ])
        }
    }

    @Test func approvedDeleteTouchesOnlyTheApprovedPods() async throws {
        try await KubernetesFixture.run { api, client in
            let preview = try await KubernetesPods(client: client).run(["selector": .string("app=guardrail-engine")], context: ctx)
            await api.add(.init(name: "guardrail-engine-7d9f-zzzzz", labels: ["app": "guardrail-engine"]))
            let approved = ActionContext(
                userID: "U01ALICE", channelID: "C0OPS", command: "models restart", logger: ctx.logger, approvedFacts: preview.previewFacts)
            let output = try await KubernetesDeletePods(client: client).run(["selector": .string("app=guardrail-engine")], context: approved)
            #expect(output.summary.contains("Deleted 2 pods"))
            #expect(output.summary.contains("1 new since the approval left alone"))
            #expect(await api.podNames().contains("guardrail-engine-7d9f-zzzzz"))
        }
    }

    @Test func configMapPatchReportsOldAndNewAndUsesAMergePatch() async throws {
        try await KubernetesFixture.run { api, client in
            let output = try await KubernetesConfigMapPatch(client: client).run(
                ["name": .string("rate-limit-config"), "rate_limit": .int(500), "window": .string("60s")], context: ctx)
            #expect(output.summary == "Patched ConfigMap `rate-limit-config` in `hybrid-ai`: `rate_limit` 1000 → 500; `window` (not set) → 60s.")
            #expect(KubernetesFixture.table(output)?.rows == [["rate_limit", "1000", "500"], ["window", "(not set)", "60s"]])
            #expect(await api.configMap("rate-limit-config") == ["rate_limit": "500", "burst": "200", "window": "60s"])
            let patch = try #require(await api.requests.first { $0.method == "PATCH" })
            #expect(patch.contentType == "application/merge-patch+json")
            #expect(patch.path == "/api/v1/namespaces/hybrid-ai/configmaps/rate-limit-config")
            let data = try #require(patch.json?["data"] as? [String: String])
            #expect(data == ["rate_limit": "500", "window": "60s"])
        }
    }

    @Test func configMapPatchThenRestartLikeRatelimitSet() async throws {
        try await KubernetesFixture.run { api, client in
            let output = try await KubernetesConfigMapPatch(client: client).run(
                ["name": .string("rate-limit-config"), "rate_limit": .int(800), "restart": .string("deployment/api-gateway"),
                 "wait_seconds": .int(10)], context: ctx)
            #expect(output.summary.contains("`rate_limit` 1000 → 800"))
            #expect(output.summary.contains("Restarted deployment `api-gateway`"))
            #expect(output.facts["restarted"] == "deployment/api-gateway")
            #expect(await api.configMap("rate-limit-config")?.keys.contains("restart") == false)
            #expect(await api.workload("api-gateway")?.templateAnnotations["kubectl.kubernetes.io/restartedAt"] != nil)
        }
    }

    @Test func configMapPatchRestartFailureSaysThePatchWasApplied() async throws {
        try await KubernetesFixture.run { api, client in
            do throws(ActionFailure) {
                _ = try await KubernetesConfigMapPatch(client: client).run(
                    ["name": .string("rate-limit-config"), "rate_limit": .int(800), "restart": .string("deployment/missing")], context: ctx)
                Issue.record("restart of a missing deployment succeeded")
            } catch {
                #expect(error.message.contains("ConfigMap `rate-limit-config` was patched, but the restart failed"))
                #expect(error.message.contains("deployments.apps \"missing\" not found"))
            }
            #expect(await api.configMap("rate-limit-config")?["rate_limit"] == "800")
        }
    }

    @Test("bad configmap patches are refused before any request", arguments: [
        ["name": ResolvedValue.string("rate-limit-config")],
        ["name": .string("rate-limit-config"), "bad key": .string("x")],
        ["name": .string("rate-limit-config"), "k": .list([.string("a")])],
        ["name": .string("Rate_Limit"), "k": .string("x")],
        ["name": .string("rate-limit-config"), "k": .string("x"), "restart": .string("daemonset/x")],
        ["name": .string("rate-limit-config"), "k": .string("x"), "restart": .string("deployment/../x")],
    ])
    func configMapPatchValidation(parameters: [String: ResolvedValue]) async throws {
        try await KubernetesFixture.run { api, client in
            await #expect(throws: ActionFailure.self) { try await KubernetesConfigMapPatch(client: client).run(parameters, context: ctx) }
            #expect(await api.requests.isEmpty)
        }
    }

    static func templates() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-templates-\(UUID().uuidString)")
        let plugin = root.appendingPathComponent("emergency")
        try FileManager.default.createDirectory(at: plugin, withIntermediateDirectories: true)
        let job = #"""
            {"apiVersion":"batch/v1","kind":"Job","metadata":{"labels":{"app":"db-restore"}},
             "spec":{"backoffLimit":0,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"restore",
             "image":"postgres:15","args":["pg_restore","-d","{{database}}","/backups/{{backup}}"],
             "env":[{"name":"NOTE","value":"{{backup}} by hybridbot"}]}]}}}}
            """#
        try job.write(to: plugin.appendingPathComponent("restore-job.json"), atomically: true, encoding: .utf8)
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-outside-\(UUID().uuidString).json")
        try job.write(to: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: plugin.appendingPathComponent("escape.json"), withDestinationURL: outside)
        return root
    }

    @Test func createJobSubstitutesValuesWaitsAndReportsProgress() async throws {
        let root = try Self.templates()
        defer { try? FileManager.default.removeItem(at: root) }
        try await KubernetesFixture.run { api, client in
            // Long enough that the first poll (40 ms) sees the Job active even on a loaded machine.
            await api.set(jobOutcome: .succeed, after: .seconds(1))
            let progress = ProgressLog()
            let action = KubernetesCreateJob(client: client, templateRoot: root.path, progress: { await progress.add($0) })
            let output = try await action.run([
                "template": .string("emergency/restore-job.json"), "name_prefix": .string("db-restore"),
                "backup": .string("backup_2024_01_15.sql"), "database": .string("hybrid_ai_recovery"), "wait_seconds": .int(10),
            ], context: ctx)
            let name = try #require(output.facts["job"])
            #expect(name.hasPrefix("db-restore-"))
            #expect(KubernetesNames.isValidLabel(name))
            #expect(output.summary.contains("completed (0 active, 1 succeeded, 0 failed)"))
            #expect(await api.jobNames() == [name])
            let created = try #require(await api.jobJSON(name))
            let job = try #require(try JSONSerialization.jsonObject(with: Data(created)) as? [String: Any])
            let metadata = try #require(job["metadata"] as? [String: Any])
            #expect(metadata["namespace"] as? String == "hybrid-ai")
            #expect((metadata["annotations"] as? [String: String])?["hybridbot/requested-by"] == "U01ALICE")
            #expect((metadata["labels"] as? [String: String])?["app"] == "db-restore")
            let podSpec = try #require(((job["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
            let container = try #require((podSpec["containers"] as? [[String: Any]])?.first)
            #expect(container["args"] as? [String] == ["pg_restore", "-d", "hybrid_ai_recovery", "/backups/backup_2024_01_15.sql"])
            #expect((container["env"] as? [[String: String]])?.first?["value"] == "backup_2024_01_15.sql by hybridbot")
            let post = try #require(await api.requests.first { $0.method == "POST" })
            #expect(post.path == "/apis/batch/v1/namespaces/hybrid-ai/jobs")
            let lines = await progress.lines
            #expect(lines.first?.contains("1 active") == true)
            #expect(lines.last?.contains("1 succeeded") == true)
        }
    }

    @Test func createJobFailureIsReported() async throws {
        let root = try Self.templates()
        defer { try? FileManager.default.removeItem(at: root) }
        try await KubernetesFixture.run { api, client in
            await api.set(jobOutcome: .fail, after: .milliseconds(100))
            do throws(ActionFailure) {
                _ = try await KubernetesCreateJob(client: client, templateRoot: root.path).run([
                    "template": .string("emergency/restore-job.json"), "name_prefix": .string("db-restore"),
                    "backup": .string("b.sql"), "database": .string("d"), "wait_seconds": .int(5),
                ], context: ctx)
                Issue.record("a failed job was reported as success")
            } catch {
                #expect(error.message.contains("failed (0 active, 0 succeeded, 7 failed)"))
            }
        }
    }

    @Test("template paths that escape the plugin folder are refused", arguments: [
        "../etc/passwd.json", "/etc/passwd.json", "emergency/../../x.json", "emergency/escape.json", "emergency/./restore-job.json",
        "emergency/restore-job.yaml", "emergency/missing.json", "emergency//restore-job.json", "",
    ])
    func templateEscapes(template: String) async throws {
        let root = try Self.templates()
        defer { try? FileManager.default.removeItem(at: root) }
        try await KubernetesFixture.run { api, client in
            await #expect(throws: ActionFailure.self) {
                try await KubernetesCreateJob(client: client, templateRoot: root.path).run([
                    "template": .string(template), "name_prefix": .string("db-restore"), "backup": .string("b"), "database": .string("d"),
                ], context: ctx)
            }
            #expect(await api.requests.isEmpty)
        }
    }

    @Test("template values and missing placeholders are checked before any request", arguments: [
        ["backup": ResolvedValue.string("x; rm -rf /"), "database": .string("d")],
        ["backup": .string("$(id)"), "database": .string("d")],
        ["backup": .string("a\"}],\"x\":{\"y"), "database": .string("d")],
        ["backup": .string("b.sql")],
    ])
    func templateValues(values: [String: ResolvedValue]) async throws {
        let root = try Self.templates()
        defer { try? FileManager.default.removeItem(at: root) }
        try await KubernetesFixture.run { api, client in
            await #expect(throws: ActionFailure.self) {
                try await KubernetesCreateJob(client: client, templateRoot: root.path).run(
                    values.merging(["template": .string("emergency/restore-job.json"), "name_prefix": .string("db-restore")]) { a, _ in a },
                    context: ctx)
            }
            #expect(await api.requests.isEmpty)
        }
    }
}
