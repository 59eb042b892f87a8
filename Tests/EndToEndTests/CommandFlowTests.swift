import BotCore
import Foundation
import Testing

@Suite("command flow")
struct CommandFlowTests {
    @Test func helpListsOnlyWhatThisUserMayRun() async throws {
        try await Harness.run { h in
            let (_, alice) = try await h.say("help", as: "U01ALICE", id: "help-alice")
            #expect(alice.first?.text.contains("scale {deployment} {replicas}") == true)
            let (_, eve) = try await h.say("help", as: "U09EVE", id: "help-eve")
            let eveText = try #require(eve.first?.text)
            #expect(!eveText.contains("scale"))
            #expect(eveText.contains("help"))
        }
    }

    @Test func whoamiShowsRoles() async throws {
        try await Harness.run { h in
            let (_, replies) = try await h.say("whoami", as: "U01ALICE")
            let text = try #require(replies.first?.text)
            #expect(text.contains("`operator`"))
            #expect(text.contains("`responder`"))
            #expect(text.contains("alice@example.com"))
        }
    }

    @Test func destructiveCommandsPostAnApprovalRequestAndDoNothing() async throws {
        let pattern = try CommandPattern(parsing: "drain {deployment}")
        let spec = CommandSpec(
            plugin: "test", pattern: pattern, summary: "Scale to zero", arguments: ["deployment": .oneOf(["api-gateway"])],
            destructive: true,
            steps: [StepTemplate(action: "kubernetes.scale", parameters: ["deployment": .string("{deployment}"), "replicas": .int(0)])])
        let policy = PermissionPolicy(
            roles: ["operator": Role(name: "operator", users: ["U01ALICE"])],
            grants: [Grant(roles: ["operator"], allow: [CommandGlob("drain *")])],
            approvals: [ApprovalRule(commands: [CommandGlob("drain")], approvers: ["operator"], required: 1, expiresAfter: .seconds(600))])
        try await Harness.run(table: CommandTable([spec]), policy: policy) { h in
            let (_, replies) = try await h.say("drain api-gateway", as: "U01ALICE")
            let message = try #require(replies.first)
            #expect(message.responseType == .inChannel)
            #expect(message.text.contains("Approval needed"))
            #expect(message.buttons.count == 2)
            #expect(message.buttons.allSatisfy { $0.hasPrefix("approval.approve:") || $0.hasPrefix("approval.deny:") })
            #expect(await h.kubernetes.requests.isEmpty)
            #expect(await h.kubernetes.replicaCount("api-gateway") == 3)
        }
    }

    @Test func secretsNeverReachSlack() async throws {
        try await Harness.run(redactorSecrets: ["hunter2-db-password"]) { h in
            let (_, replies) = try await h.say("scale hunter2-db-password xoxb-1234567890-abcdef", as: "U01ALICE")
            let text = try #require(replies.first?.text)
            #expect(!text.contains("hunter2-db-password"))
            #expect(!text.contains("xoxb-1234567890"))
            let everything = await h.sink.everything().joined()
            #expect(!everything.contains("hunter2-db-password"))
            let audit = try await h.store.auditRecords().map { "\($0.command ?? "") \($0.detail)" }.joined()
            #expect(!audit.contains("hunter2-db-password"))
        }
    }
}
