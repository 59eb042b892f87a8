import Actions
import BotCore
import Foundation
import HTTPDriver
import TestSupport
import Testing

@Suite("kubernetes actions: failures an operator can act on")
struct KubernetesFailureTests {
    let ctx = KubernetesFixture.context

    /// Valid parameters for every action, so that only the condition under test can fail.
    static let validParameters: [String: [String: ResolvedValue]] = [
        "kubernetes.pods": ["selector": .string("app=guardrail-engine")],
        "kubernetes.logs": ["selector": .string("app=guardrail-engine")],
        "kubernetes.nodes": [:],
        "kubernetes.top": ["kind": .string("pods")],
        "kubernetes.delete_pods": ["selector": .string("app=guardrail-engine")],
        "kubernetes.scale": ["deployment": .string("api-gateway"), "replicas": .int(4)],
        "kubernetes.rollout_restart": ["name": .string("api-gateway"), "wait_seconds": .int(0)],
        "kubernetes.configmap_get": ["name": .string("rate-limit-config")],
        "kubernetes.configmap_patch": ["name": .string("rate-limit-config"), "rate_limit": .int(5)],
        "kubernetes.patch_resources": ["deployment": .string("earnings-analyzer"), "memory": .string("8Gi")],
        "kubernetes.create_job": ["template": .string("emergency/restore-job.json"), "name_prefix": .string("r"),
                                  "backup": .string("b"), "database": .string("d")],
    ]

    @Test func makeAllRegistersEveryNamedActionOnce() {
        let actions = KubernetesActions.makeAll(client: nil, templateRoot: "/nonexistent")
        #expect(Set(actions.map(\.name)) == KubernetesActions.names)
        #expect(actions.count == KubernetesActions.names.count)
        #expect(Set(Self.validParameters.keys) == KubernetesActions.names)
        let readOnly = Set(actions.filter(\.readOnly).map(\.name))
        #expect(readOnly == ["kubernetes.pods", "kubernetes.logs", "kubernetes.nodes", "kubernetes.top", "kubernetes.configmap_get"])
        #expect(ActionRegistry(actions).names == KubernetesActions.names)
    }

    @Test func notConfiguredEveryActionSaysHowToConfigureIt() async throws {
        let root = try KubernetesChangeActionTests.templates()
        defer { try? FileManager.default.removeItem(at: root) }
        for action in KubernetesActions.makeAll(client: nil, templateRoot: root.path) {
            do throws(ActionFailure) {
                _ = try await action.run(Self.validParameters[action.name] ?? [:], context: ctx)
                Issue.record("\(action.name) ran without a client")
            } catch {
                #expect(error.dependency == "Kubernetes")
                #expect(error.message.hasPrefix("Kubernetes is not configured (set KUBERNETES_API_URL"), "\(action.name): \(error.message)")
            }
        }
    }

    @Test func wrongTokenIsAClear401AndNeverShowsTheToken() async throws {
        let root = try KubernetesChangeActionTests.templates()
        defer { try? FileManager.default.removeItem(at: root) }
        let wrong = "wrong-token-9f8e7d6c5b4a"
        try await KubernetesFixture.run(token: wrong) { api, client in
            for action in KubernetesActions.makeAll(client: client, templateRoot: root.path) {
                do throws(ActionFailure) {
                    _ = try await action.run(Self.validParameters[action.name] ?? [:], context: ctx)
                    Issue.record("\(action.name) succeeded with a wrong token")
                } catch {
                    #expect(error.message.contains("rejected the bot's credentials (401 Unauthorized)"), "\(action.name): \(error.message)")
                    #expect(error.message.contains("KUBERNETES_TOKEN"))
                    #expect(!error.message.contains(wrong))
                    #expect(!error.message.contains(api.token))
                }
            }
            let requests = await api.requests
            #expect(requests.count == KubernetesActions.names.count)
            #expect(requests.allSatisfy { $0.authorization == "Bearer \(wrong)" })
        }
    }

    @Test("403 carries the API server's message and an RBAC hint", arguments: [
        ("kubernetes.pods", "list", "pods", "cannot list resource \"pods\" in API group \"\" in the namespace \"hybrid-ai\""),
        ("kubernetes.delete_pods", "delete", "pods", "cannot delete resource \"pods\""),
        ("kubernetes.rollout_restart", "patch", "deployments", "cannot patch resource \"deployments\" in API group \"apps\""),
        ("kubernetes.configmap_patch", "patch", "configmaps", "configmaps \"rate-limit-config\" is forbidden"),
        ("kubernetes.nodes", "list", "nodes", "at the cluster scope"),
        ("kubernetes.create_job", "create", "jobs", "cannot create resource \"jobs\" in API group \"batch\""),
    ])
    func forbidden(action name: String, verb: String, resource: String, expected: String) async throws {
        let root = try KubernetesChangeActionTests.templates()
        defer { try? FileManager.default.removeItem(at: root) }
        try await KubernetesFixture.run { api, client in
            await api.forbid(verb, resource)
            let action = try #require(KubernetesActions.makeAll(client: client, templateRoot: root.path).first { $0.name == name })
            do throws(ActionFailure) {
                _ = try await action.run(Self.validParameters[name] ?? [:], context: ctx)
                Issue.record("\(name) succeeded although forbidden")
            } catch {
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(error.message.contains("system:serviceaccount:hybrid-ai:hybridbot"))
                #expect(error.message.contains("RBAC"))
            }
        }
    }

    @Test func notFoundPointsAtTheNameAndNamespace() async throws {
        try await KubernetesFixture.run { _, client in
            do throws(ActionFailure) {
                _ = try await KubernetesConfigMapGet(client: client).run(["name": .string("no-such-config")], context: ctx)
                Issue.record("missing configmap was found")
            } catch {
                #expect(error.message == "could not read ConfigMap `no-such-config`: configmaps \"no-such-config\" not found. Check the name and KUBERNETES_NAMESPACE.")
            }
        }
    }

    @Test("selector injection is refused before any request", arguments: [
        "app=x&watch=true", "app=x watch=true", "app = x", "../../api=x", "app=..", "app=x%26watch%3Dtrue", "app=x\r\nHost: evil",
        "app=x#", "app=x?y=z", "",
    ])
    func selectorInjection(selector: String) async throws {
        try await KubernetesFixture.run { api, client in
            for action in [KubernetesPods(client: client), KubernetesLogs(client: client), KubernetesDeletePods(client: client),
                           KubernetesTop(client: client)] as [any Action] {
                do throws(ActionFailure) {
                    _ = try await action.run(["selector": .string(selector)], context: ctx)
                    Issue.record("\(action.name) accepted selector \(selector)")
                } catch {
                    #expect(error.message.contains("selector") || error.message.contains("missing"), "\(error.message)")
                }
            }
            #expect(await api.requests.isEmpty)
        }
    }

    @Test("names that are not DNS-1123 never reach a URL", arguments: ["../secrets", "api-gateway/scale", "API", "a b", "x?watch=1"])
    func nameInjection(name: String) async throws {
        try await KubernetesFixture.run { api, client in
            for (action, key) in [(KubernetesRolloutRestart(client: client), "name"), (KubernetesConfigMapGet(client: client), "name"),
                                  (KubernetesPatchResources(client: client), "deployment")] as [(any Action, String)] {
                await #expect(throws: ActionFailure.self) {
                    try await action.run([key: .string(name), "memory": .string("8Gi")], context: ctx)
                }
            }
            await #expect(throws: ActionFailure.self) {
                try await KubernetesScale(client: client).run(["deployment": .string(name), "replicas": .int(1)], context: ctx)
            }
            await #expect(throws: ActionFailure.self) {
                try await KubernetesPods(client: client).run(["selector": .string("app=x"), "namespace": .string(name)], context: ctx)
            }
            #expect(await api.requests.isEmpty)
        }
    }

    @Test func unreachableAPIAndTimeoutsAreClear() async throws {
        let http = HTTPClient(threads: 1)
        let config = KubernetesConfig(apiURL: "http://127.0.0.1:1", token: .value("secret-token-value-1"), caFile: nil, timeout: .seconds(2))
        do throws(ActionFailure) {
            _ = try await KubernetesNodes(client: KubernetesClient(config: config, http: http)).run([:], context: ctx)
            Issue.record("reached a closed port")
        } catch {
            #expect(error.message.contains("cannot reach the Kubernetes API"))
            #expect(error.message.contains("KUBERNETES_API_URL"))
            #expect(!error.message.contains("secret-token-value-1"))
        }
        await http.shutdown()
    }

    @Test func tokenFileIsReadPerRequestAndAMissingOneIsNamed() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-token-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let api = FakeKubernetesAPI()
        await KubernetesFixture.hybridAI(api)
        try api.token.write(to: file, atomically: true, encoding: .utf8)
        let http = HTTPClient(threads: 1)
        try await api.serve { url in
            let client = KubernetesClient(
                config: KubernetesConfig(apiURL: url, token: .file(file.path), caFile: nil), http: http)
            let nodes = try await KubernetesNodes(client: client).run([:], context: KubernetesFixture.context)
            #expect(nodes.facts["nodes"] == "3")
            try FileManager.default.removeItem(at: file)
            do throws(ActionFailure) {
                _ = try await KubernetesNodes(client: client).run([:], context: KubernetesFixture.context)
                Issue.record("ran without a token file")
            } catch {
                #expect(error.message.contains("cannot read the token file"))
            }
        }
        await http.shutdown()
    }

    @Test func fakeAnswersConflictsAndInvalidValuesLikeTheAPIServer() async throws {
        try await KubernetesFixture.run { api, client in
            let job: [String: Any] = [
                "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "restore-1"],
                "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "r", "image": "postgres:15"]]]]],
            ]
            _ = try await client.createJob(job)
            do throws(KubernetesError) {
                _ = try await client.createJob(job)
                Issue.record("a second job with the same name was created")
            } catch {
                #expect(error.status == 409 && error.reason == "AlreadyExists")
                #expect(error.message == "jobs.batch \"restore-1\" already exists")
                #expect(ActionFailure.kubernetes(error, doing: "create job").message.contains("exists already"))
            }
            do throws(KubernetesError) {
                _ = try await client.scale(kind: .deployments, name: "api-gateway", replicas: -1)
                Issue.record("negative replicas were accepted")
            } catch {
                #expect(error.status == 422 && error.reason == "Invalid")
                #expect(error.message.contains("must be greater than or equal to 0"))
            }
            do throws(KubernetesError) {
                _ = try await client.send("GET", "/apis/example.com/v1/widgets")
                Issue.record("an unknown path answered")
            } catch {
                #expect(error.status == 404 && error.message == "the server could not find the requested resource")
            }
            #expect(await api.jobNames() == ["restore-1"])
        }
    }

    @Test func logsOfAMultiContainerPodUseTheFirstContainerOrTheNamedOne() async throws {
        try await KubernetesFixture.run(seed: { api in
            await api.add(.init(name: "model-1", labels: ["app": "specialized-models"], containers: [
                .init(name: "model", logs: ["model says hi"]), .init(name: "proxy", logs: ["proxy says hi"]),
            ]))
        }) { api, client in
            let first = try await KubernetesLogs(client: client).run(["selector": .string("app=specialized-models")], context: ctx)
            #expect(KubernetesFixture.text(first).contains("model says hi"))
            let proxy = try await KubernetesLogs(client: client).run(
                ["selector": .string("app=specialized-models"), "container": .string("proxy")], context: ctx)
            #expect(KubernetesFixture.text(proxy).contains("proxy says hi"))
            let missing = try await KubernetesLogs(client: client).run(
                ["selector": .string("app=specialized-models"), "container": .string("gpu")], context: ctx)
            #expect(KubernetesFixture.table(missing)?.rows.first?.last?.contains("container gpu is not valid for pod model-1") == true)
            #expect(await api.requests.filter { $0.path.hasSuffix("/log") }.compactMap { $0.query["container"] } == ["model", "proxy", "gpu"])
        }
    }
}
