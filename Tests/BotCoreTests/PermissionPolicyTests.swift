import BotCore
import Testing

@Suite("PermissionPolicy")
struct PermissionPolicyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let requester: Requester
        let path: String
        let channel: String
        let allowed: Bool
        var testDescription: String { "\(requester.userID)\(requester.groups.sorted()) \(path) in \(channel) → \(allowed ? "allow" : "deny")" }
    }

    static let matrix: [Case] = [
        // "*" role: everyone may run status and checks.
        Case(requester: Fixtures.nobody, path: "status", channel: "C0ANY", allowed: true),
        Case(requester: Fixtures.nobody, path: "latency check", channel: "C0ANY", allowed: true),
        Case(requester: Fixtures.nobody, path: "check", channel: "C0ANY", allowed: true),
        Case(requester: Fixtures.nobody, path: "scale", channel: "C0ANY", allowed: false),
        Case(requester: Fixtures.nobody, path: "cache flush", channel: "C0OPS", allowed: false),
        Case(requester: Fixtures.nobody, path: "db terminate", channel: "C0OPS", allowed: false),
        // Named users.
        Case(requester: Fixtures.alice, path: "scale", channel: "C0ANY", allowed: true),
        Case(requester: Fixtures.alice, path: "cache flush", channel: "C0ANY", allowed: true),
        Case(requester: Fixtures.alice, path: "status", channel: "C0ANY", allowed: true),
        Case(requester: Fixtures.alice, path: "db terminate", channel: "C0OPS", allowed: false),
        // Groups.
        Case(requester: Fixtures.sreMember, path: "scale", channel: "C0ANY", allowed: true),
        Case(requester: Fixtures.otherGroupMember, path: "scale", channel: "C0ANY", allowed: false),
        // Channel restriction on top of a grant.
        Case(requester: Fixtures.carol, path: "db terminate", channel: "C0OPS", allowed: true),
        Case(requester: Fixtures.carol, path: "db long-queries", channel: "C0OPS", allowed: true),
        Case(requester: Fixtures.carol, path: "db terminate", channel: "C0RANDOM", allowed: false),
        Case(requester: Fixtures.carol, path: "scale", channel: "C0OPS", allowed: false),
        // Unknown users only get what "*" gets; an empty id is nobody special.
        Case(requester: Requester(userID: "U0STRANGER"), path: "emergency declare", channel: "C0ANY", allowed: true),
        Case(requester: Requester(userID: ""), path: "scale", channel: "C0ANY", allowed: false),
        // Matching is on the exact path words, not prefixes of words.
        Case(requester: Fixtures.alice, path: "scaler", channel: "C0ANY", allowed: false),
        // Built-ins are always allowed, for anyone, anywhere.
        Case(requester: Fixtures.nobody, path: "help", channel: "C0RANDOM", allowed: true),
        Case(requester: Requester(userID: "U0STRANGER"), path: "whoami", channel: "D0DM", allowed: true),
    ]

    @Test(arguments: matrix)
    func decides(_ c: Case) {
        let decision = Fixtures.policy.decide(c.requester, path: c.path, channel: c.channel)
        #expect((decision == .allow) == c.allowed, "\(decision)")
    }

    @Test(arguments: ["status", "scale", "cache flush", "db terminate", "emergency declare", "", "helpme"])
    func denyAllDeniesEveryNonBuiltin(_ path: String) {
        #expect(PermissionPolicy.denyAll.decide(Fixtures.alice, path: path, channel: "C0OPS") != .allow)
    }

    @Test(arguments: CommandTable.builtinPaths)
    func denyAllStillAllowsBuiltins(_ path: String) {
        #expect(PermissionPolicy.denyAll.decide(Fixtures.nobody, path: path, channel: "C0ANY") == .allow)
    }

    @Test func denialReasons() {
        #expect(Fixtures.policy.decide(Fixtures.carol, path: "db terminate", channel: "C0RANDOM")
            == .deny(reason: "`db terminate` may only be run in <#C0OPS>."))
        #expect(Fixtures.policy.decide(Fixtures.nobody, path: "scale", channel: "C0OPS")
            == .deny(reason: "You are not allowed to run `scale`. Ask an admin to grant it to one of your roles in permissions.yaml."))
    }

    @Test func rolesAndApprovals() {
        #expect(Fixtures.policy.roles(of: Fixtures.alice) == ["operator", "responder"])
        #expect(Fixtures.policy.roles(of: Fixtures.sreMember) == ["operator", "responder"])
        #expect(Fixtures.policy.roles(of: Fixtures.nobody) == ["responder"])
        #expect(PermissionPolicy.denyAll.roles(of: Fixtures.alice).isEmpty)
        #expect(Fixtures.policy.approvalRule(for: "cache flush")?.required == 1)
        #expect(Fixtures.policy.approvalRule(for: "cache ttl") == nil)
        #expect(Fixtures.policy.mayApprove(Fixtures.sreMember, path: "cache flush"))
        #expect(!Fixtures.policy.mayApprove(Fixtures.nobody, path: "cache flush"))
        #expect(!Fixtures.policy.mayApprove(Fixtures.alice, path: "scale"))
    }
}

@Suite struct StrictestApprovalRuleTests {
    /// A broad rule written first never weakens a stricter one for the same command.
    @Test func theStrictestMatchingRuleWins() {
        let policy = PermissionPolicy(
            roles: ["dba": Role(name: "dba", users: ["U1"])],
            grants: [],
            approvals: [
                ApprovalRule(commands: [CommandGlob("db *")], approvers: ["dba"], required: 1, expiresAfter: .seconds(900)),
                ApprovalRule(commands: [CommandGlob("db restore *")], approvers: ["dba"], required: 2, expiresAfter: .seconds(600)),
                ApprovalRule(commands: [CommandGlob("db terminate *")], approvers: ["dba"], required: 1, expiresAfter: .seconds(300)),
            ])
        #expect(policy.approvalRule(for: "db restore")?.required == 2)
        #expect(policy.approvalRule(for: "db terminate")?.expiresAfter == .seconds(300))
        #expect(policy.approvalRule(for: "db size")?.required == 1)
        #expect(policy.approvalRule(for: "cache flush") == nil)
    }
}
