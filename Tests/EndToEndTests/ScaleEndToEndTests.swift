import BotCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Slack
import Store
import Testing

@Suite("/hybrid scale end to end")
struct ScaleEndToEndTests {
    @Test func authorizedScalePatchesKubernetesRepliesAndAudits() async throws {
        try await Harness.run { h in
            let (ack, replies) = try await h.say("scale api-gateway 10", as: "U01ALICE")
            #expect(ack.status == .ok)
            #expect(ack.text.contains("\"response_type\":\"ephemeral\""))
            let requests = await h.kubernetes.requests
            #expect(requests.count == 1)
            let patch = try #require(requests.first)
            #expect(patch.method == "PATCH")
            #expect(patch.path == "/apis/apps/v1/namespaces/hybrid-ai/deployments/api-gateway/scale")
            #expect(patch.contentType == "application/merge-patch+json")
            #expect(patch.authorization == "Bearer \(h.kubernetes.token)")
            #expect(patch.body["spec.replicas"] == .int(10))
            #expect(await h.kubernetes.replicaCount("api-gateway") == 10)

            let reply = try #require(replies.first)
            #expect(reply.responseType == .inChannel)
            #expect(reply.text.contains("api-gateway"))
            #expect(reply.text.contains("*10*"))
            #expect(reply.text.contains("3 running before"))
            #expect(reply.blocks?.isEmpty == false)

            // `scale` measures p95 before it runs (its verification; Prometheus is unreachable here, so that fails).
            #expect(try await h.auditKinds() == ["command", "verification", "action", "result"])
            let records = try await h.store.auditRecords()
            #expect(records.allSatisfy { $0.user == "U01ALICE" && $0.channel == "C0LOCAL" })
            #expect(records[0].detail["trigger_id"]?.stringValue?.hasPrefix("trigger.") == true)
            #expect(records[1].outcome == "error" && records[2].outcome == "ok" && records[3].outcome == "ok")
            #expect(try await h.store.verifyAudit() == .intact(records: 4))
            // The Kubernetes token never reaches the audit.
            let dump = try records.map { String(decoding: try JSONValue.canonicalData($0), as: UTF8.self) }.joined()
            #expect(!dump.contains(h.kubernetes.token))
        }
    }

    @Test func unauthorizedUserIsRefusedAndNothingIsPatched() async throws {
        try await Harness.run { h in
            let (ack, replies) = try await h.say("scale api-gateway 10", as: "U09EVE")
            #expect(ack.status == .ok)
            let reply = try #require(replies.first)
            #expect(reply.responseType == .ephemeral)
            #expect(reply.text.contains("not allowed"))
            #expect(await h.kubernetes.requests.isEmpty)
            #expect(try await h.auditKinds() == ["command", "denied"])
        }
    }

    @Test func wrongChannelIsRefused() async throws {
        try await Harness.run { h in
            let (_, replies) = try await h.say("scale api-gateway 10", as: "U01ALICE", channel: "C0RANDOM")
            #expect(replies.first?.text.contains("may only be run in") == true)
            #expect(await h.kubernetes.requests.isEmpty)
        }
    }

    @Test func kubernetesNotFoundIsShownByItsMessage() async throws {
        try await Harness.run { h in
            await h.kubernetes.remove("ai-orchestrator")
            let (_, replies) = try await h.say("scale ai-orchestrator 4", as: "U01ALICE")
            let text = try #require(replies.first?.text)
            #expect(text.contains("deployments.apps \"ai-orchestrator\" not found"))
            #expect(text.contains("KUBERNETES_NAMESPACE"))
            let records = try await h.store.auditRecords()
            #expect(records.last?.kind == "result" && records.last?.outcome == "failed")
        }
    }

    @Test func kubernetesForbiddenIsShownByItsMessage() async throws {
        try await Harness.run { h in
            await h.kubernetes.set(mode: .forbidden)
            let (_, replies) = try await h.say("scale api-gateway 5", as: "U01ALICE")
            let text = try #require(replies.first?.text)
            #expect(text.contains("cannot patch resource \"deployments/scale\""))
            #expect(text.contains("RBAC"))
        }
    }

    @Test func kubernetesTimeoutIsAClearReply() async throws {
        try await Harness.run(kubernetesTimeout: .milliseconds(400)) { h in
            await h.kubernetes.set(mode: .slow(.seconds(3)))
            let started = ContinuousClock.now
            let (ack, replies) = try await h.say("scale api-gateway 5", as: "U01ALICE")
            #expect(ack.status == .ok)
            let text = try #require(replies.first?.text)
            #expect(text.contains("did not answer within 400ms"))
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }

    @Test func kubernetesAnsweringNonJSONIsAClearReply() async throws {
        try await Harness.run { h in
            await h.kubernetes.set(mode: .notJSON)
            let (_, replies) = try await h.say("scale api-gateway 5", as: "U01ALICE")
            #expect(replies.first?.text.contains("not JSON") == true)
        }
    }

    @Test func kubernetesNotConfiguredSaysHowToConfigureIt() async throws {
        try await Harness.run(kubernetesConfigured: false) { h in
            let (_, replies) = try await h.say("scale api-gateway 5", as: "U01ALICE")
            #expect(replies.first?.text.contains("Kubernetes is not configured (set KUBERNETES_API_URL") == true)
            #expect(await h.kubernetes.requests.isEmpty)
        }
    }

    @Test func tamperingWithOneAuditRowBreaksVerification() async throws {
        try await Harness.run { h in
            _ = try await h.say("scale api-gateway 10", as: "U01ALICE")
            #expect(try await h.store.verifyAudit() == .intact(records: 4))
            try await h.store.unsafeExecuteScript("""
                DROP TRIGGER audit_append_only_update;
                UPDATE audit SET outcome = 'ok' WHERE id = 2 AND 1 = 1;
                UPDATE audit SET user = 'U04DAVE' WHERE id = 2;
                """)
            guard case .broken(let id, _, _) = try await h.store.verifyAudit() else {
                Issue.record("verification passed on a tampered audit")
                return
            }
            #expect(id == 2)
        }
    }
}
