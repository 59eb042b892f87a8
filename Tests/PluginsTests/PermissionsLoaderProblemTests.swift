import BotCore
import Plugins
import Testing

/// A permissions.yaml text and the exact problems it must produce.
struct PermissionsCase: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let expected: [String]
    var testDescription: String { name }

    init(_ name: String, _ yaml: String, _ expected: [String]) {
        self.name = name
        self.yaml = yaml
        self.expected = expected
    }
}

/// A valid file; cases replace one piece of it. Line numbers: roles 1–3, grants 4–6, approvals 7–11.
let basePermissions = """
    roles:
      responder: { users: ["*"] }
      operator: { users: [U01ALICE, W02BOB], groups: [S0SRE] }
    grants:
      - roles: [responder]
        allow: ["help", "status"]
    approvals:
      - commands: ["cache flush"]
        approvers: [operator]
        required: 1
        expires_after: 15m

    """

private func replacing(_ old: String, _ new: String) -> String {
    precondition(basePermissions.contains(old), "fixture does not contain \(old)")
    return basePermissions.replacingOccurrences(of: old, with: new)
}

private let file = "permissions.yaml"

private let cases: [PermissionsCase] = [
    PermissionsCase("unknown top-level key", basePermissions + "owners: [me]\n",
                    ["\(file):12: unknown key 'owners' in permissions.yaml (expected 'roles', 'grants', 'approvals', 'channels', 'identities', 'break_glass')"]),
    PermissionsCase("unknown key in a role", replacing("groups: [S0SRE]", "groups: [S0SRE], admins: [U1]"),
                    ["\(file):3: unknown key 'admins' in role 'operator' (expected 'users', 'groups')"]),
    PermissionsCase("unknown key in a grant", replacing("allow: [\"help\", \"status\"]", "allow: [\"help\"]\n    deny: [\"x\"]"),
                    ["\(file):7: unknown key 'deny' in grant (expected 'roles', 'allow')"]),
    PermissionsCase("unknown key in an approval", replacing("required: 1", "required: 1\n    quorum: 2"),
                    ["\(file):11: unknown key 'quorum' in approval rule (expected 'commands', 'approvers', 'required', 'expires_after')"]),
    PermissionsCase("unknown role in a grant", replacing("roles: [responder]", "roles: [responder, oncall]"),
                    ["\(file):5: unknown role 'oncall' (roles: 'operator', 'responder')"]),
    PermissionsCase("unknown role in an approval", replacing("approvers: [operator]", "approvers: [operator,\n      commander]"),
                    ["\(file):10: unknown role 'commander' (roles: 'operator', 'responder')"]),
    PermissionsCase("unknown role in break_glass", basePermissions + "break_glass:\n  roles: [commander]\n",
                    ["\(file):13: unknown role 'commander' (roles: 'operator', 'responder')"]),
    PermissionsCase("unknown key in break_glass", basePermissions + "break_glass:\n  roles: [operator]\n  reason: required\n",
                    ["\(file):14: unknown key 'reason' in break_glass (expected 'roles')"]),
    PermissionsCase("grant with empty allow", replacing("allow: [\"help\", \"status\"]", "allow: []"),
                    ["\(file):6: grant allows nothing (empty allow list)"]),
    PermissionsCase("grant with no roles", replacing("roles: [responder]", "roles: []"),
                    ["\(file):5: grant has no roles"]),
    PermissionsCase("grant without allow", replacing("    allow: [\"help\", \"status\"]\n", ""),
                    ["\(file):5: grant is missing required key 'allow'"]),
    PermissionsCase("bad duration", replacing("expires_after: 15m", "expires_after: 15 minutes"),
                    ["\(file):11: expires_after '15 minutes' is not a duration like 30s, 15m, 1h or 2h30m"]),
    PermissionsCase("duration without unit", replacing("expires_after: 15m", "expires_after: 900"),
                    ["\(file):11: expires_after '900' is not a duration like 30s, 15m, 1h or 2h30m"]),
    PermissionsCase("zero duration", replacing("expires_after: 15m", "expires_after: 0m"),
                    ["\(file):11: expires_after '0m' is not a duration like 30s, 15m, 1h or 2h30m"]),
    PermissionsCase("required 0", replacing("required: 1", "required: 0"),
                    ["\(file):10: 'required' must be at least 1 (got 0)"]),
    PermissionsCase("required not a number", replacing("required: 1", "required: one"),
                    ["\(file):10: 'required' must be a whole number"]),
    PermissionsCase("bad user id", replacing("[U01ALICE, W02BOB]", "[alice, U02bob]"), [
        "\(file):3: 'alice' is not a Slack user id (U… or W…) or \"*\"",
        "\(file):3: 'U02bob' is not a Slack user id (U… or W…) or \"*\"",
    ]),
    PermissionsCase("bad group id", replacing("groups: [S0SRE]", "groups: [sre]"),
                    ["\(file):3: 'sre' is not a Slack user group id (S…)"]),
    PermissionsCase("bad channel id", basePermissions + "channels:\n  - commands: [\"*\"]\n    only_in: [\"#ops\", C0OPS]\n",
                    ["\(file):14: '#ops' is not a Slack channel id (C…, G… or D…)"]),
    PermissionsCase("identity without @", basePermissions + "identities:\n  U01ALICE: alice.example.com\n",
                    ["\(file):13: identity of U01ALICE must be an email address (got 'alice.example.com')"]),
    PermissionsCase("identity keyed by a name", basePermissions + "identities:\n  alice: alice@example.com\n",
                    ["\(file):13: 'alice' is not a Slack user id (U… or W…)"]),
    PermissionsCase("glob with an argument", replacing("\"status\"", "\"scale {deployment}\""),
                    ["\(file):6: 'scale {deployment}' is not a command glob: command words and '*', e.g. 'scale *'"]),
    PermissionsCase("missing grants", "roles:\n  responder: { users: [\"*\"] }\n",
                    ["\(file):1: permissions.yaml is missing required key 'grants'"]),
    PermissionsCase("empty file", "# only a comment\n", ["\(file):0: file is empty"]),
    PermissionsCase("YAML syntax error", "roles:\n  responder: { users: [\"*\"] \ngrants: []\n",
                    ["\(file):3: invalid YAML: "]),
    PermissionsCase("several problems are all reported", replacing("roles: [responder]", "roles: [ghost]")
        .replacingOccurrences(of: "expires_after: 15m", with: "expires_after: soon"), [
        "\(file):5: unknown role 'ghost' (roles: 'operator', 'responder')",
        "\(file):11: expires_after 'soon' is not a duration like 30s, 15m, 1h or 2h30m",
    ]),
]

@Suite("PermissionsLoader problems")
struct PermissionsLoaderProblemTests {
    @Test(arguments: cases)
    func reportsProblem(_ testCase: PermissionsCase) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("permissions.yaml", testCase.yaml)
        let result = PermissionsLoader.load(path: path)
        let problems = dir.relative(result.problems)
        #expect(result.policy == nil)
        #expect(problems.count == testCase.expected.count, "\(problems)")
        for (problem, expected) in zip(problems, testCase.expected) {
            #expect(problem.hasPrefix(expected), "got \(problem)")
        }
    }

    @Test func baseFixtureIsValid() throws {
        let result = PermissionsLoader.parse(basePermissions, file: "permissions.yaml")
        #expect(result.problems.isEmpty, "\(result.problems)")
        let policy = try #require(result.policy)
        #expect(policy.roles["operator"]?.groups == ["S0SRE"])
        #expect(policy.approvals.first?.expiresAfter == .seconds(15 * 60))
        #expect(result.globLines.map(\.line) == [6, 6, 8])
    }

    @Test func missingFileIsOneProblem() throws {
        let dir = try TemporaryDirectory()
        let result = PermissionsLoader.load(path: dir.path + "/permissions.yaml")
        #expect(dir.relative(result.problems) == ["permissions.yaml:0: file not found"])
        #expect(result.policy == nil)
    }

    @Test(arguments: [
        ("30s", 30), ("15m", 900), ("1h", 3600), ("2h30m", 9000), ("1h0m5s", 3605), ("90m", 5400),
    ])
    func validDurations(_ text: String, _ seconds: Int) throws {
        let yaml = basePermissions.replacingOccurrences(of: "expires_after: 15m", with: "expires_after: \(text)")
        let policy = try #require(PermissionsLoader.parse(yaml, file: "p.yaml").policy)
        #expect(policy.approvals.first?.expiresAfter == .seconds(seconds))
    }

    @Test(arguments: ["15", "m", "15M", "1.5h", "30m1h", "1h1h", "-5m", "15m ", "1d", "9999999h", "", "1h30"])
    func invalidDurations(_ text: String) {
        let yaml = basePermissions.replacingOccurrences(of: "expires_after: 15m", with: "expires_after: \"\(text)\"")
        let result = PermissionsLoader.parse(yaml, file: "p.yaml")
        #expect(result.policy == nil)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.line == 11)
    }
}
