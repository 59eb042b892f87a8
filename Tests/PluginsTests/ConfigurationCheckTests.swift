import BotCore
import Plugins
import Testing

@Suite("ConfigurationCheck")
struct ConfigurationCheckTests {
    static let plugin = """
        name: ops
        runbook: r
        commands:
          - pattern: cache flush
            summary: Flush the cache
            destructive: true
            steps: [{redis.flushdb: {}}]
          - pattern: status
            summary: Status
            steps: [{redis.dbsize: {}}]

        """

    @Test func destructiveCommandWithoutApprovalIsReportedAtThePlugin() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plugins/ops/plugin.yaml", Self.plugin)
        let permissionsPath = try dir.write("permissions.yaml", """
            roles:
              everyone: { users: ["*"] }
            grants:
              - roles: [everyone]
                allow: ["status", "db *"]
            approvals:
              - commands: ["db restore"]
                approvers: [everyone]
                required: 1
                expires_after: 10m

            """)
        let plugins = PluginLoader.load(directory: dir.path + "/plugins", knownActions: fixtureActions)
        #expect(plugins.problems.isEmpty, "\(plugins.problems)")
        let permissions = PermissionsLoader.load(path: permissionsPath)
        let policy = try #require(permissions.policy)
        let check = ConfigurationCheck.crossCheck(
            table: plugins.table, policy: policy, permissionsFile: permissionsPath, globLines: permissions.globLines)
        #expect(dir.relative(check.problems) == [
            "plugins/ops/plugin.yaml:4: command 'cache flush' is destructive and has no approval rule in permissions.yaml",
        ])
        #expect(dir.relative(check.warnings) == [
            "permissions.yaml:5: 'db *' in grants matches no loaded command",
            "permissions.yaml:7: 'db restore' in approvals matches no loaded command",
        ])
    }

    @Test func approvalRuleSatisfiesTheCheck() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plugins/ops/plugin.yaml", Self.plugin)
        let plugins = PluginLoader.load(directory: dir.path + "/plugins", knownActions: fixtureActions)
        let policy = PermissionPolicy(
            roles: ["ops": Role(name: "ops", users: ["U1"])],
            grants: [Grant(roles: ["ops"], allow: [CommandGlob("cache *"), CommandGlob("help")])],
            approvals: [ApprovalRule(commands: [CommandGlob("cache flush")], approvers: ["ops"], required: 1, expiresAfter: .seconds(60))])
        let check = ConfigurationCheck.crossCheck(table: plugins.table, policy: policy, permissionsFile: "./permissions.yaml")
        #expect(check.problems.isEmpty)
        #expect(check.warnings.isEmpty, "\(check.warnings)")
    }

    @Test func warningsWithoutGlobLinesUseLineZero() {
        let policy = PermissionPolicy(roles: [:], grants: [Grant(roles: ["x"], allow: [CommandGlob("models *")])])
        let check = ConfigurationCheck.crossCheck(table: CommandTable([]), policy: policy, permissionsFile: "./permissions.yaml")
        #expect(check.warnings.map(\.description) == ["permissions.yaml:0: 'models *' in grants matches no loaded command"])
    }
}
