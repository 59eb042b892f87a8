import BotCore
import Plugins
import Testing

/// The plugin folder and permissions.yaml at the root of this repository must load cleanly.
@Suite("Shipped configuration")
struct ShippedConfigurationTests {
    static let actions: Set<String> = ["kubernetes.scale", "redis.dbsize", "redis.flushdb"]

    @Test func pluginsLoadWithoutProblems() throws {
        let result = PluginLoader.load(directory: PackageRoot.path + "/plugins", knownActions: Self.actions)
        #expect(result.problems.isEmpty, "\(result.problems)")
        let info = try #require(result.plugins.first { $0.name == "high-response-time" })
        #expect(info.commandCount == result.table.commands.filter { $0.plugin == "high-response-time" }.count)
        #expect(info.runbook.hasPrefix("Runbook 1"))
        #expect(info.file == PackageRoot.path + "/plugins/high-response-time/plugin.yaml")
        let scale = try #require(result.table.command(path: "scale"))
        #expect(scale.location == SourceLocation(file: info.file, line: 7))
        #expect(scale.steps.map(\.line) == [22])
    }

    @Test func permissionsLoadWithoutProblems() throws {
        let result = PermissionsLoader.load(path: PackageRoot.path + "/permissions.yaml")
        #expect(result.problems.isEmpty, "\(result.problems)")
        let policy = try #require(result.policy)
        #expect(policy.breakGlassRoles == ["commander"])
        #expect(policy.identities["U01ALICE"] == "alice@example.com")
        #expect(policy.approvalRule(for: "db terminate")?.required == 2)
        #expect(policy.decide(Requester(userID: "U01ALICE"), path: "scale", channel: "C0OPS") == .allow)
    }

    @Test func crossCheckPassesWithWarningsOnly() throws {
        let plugins = PluginLoader.load(directory: PackageRoot.path + "/plugins", knownActions: Self.actions)
        let permissions = PermissionsLoader.load(path: PackageRoot.path + "/permissions.yaml")
        let policy = try #require(permissions.policy)
        let check = ConfigurationCheck.crossCheck(
            table: plugins.table, policy: policy, permissionsFile: "permissions.yaml", globLines: permissions.globLines)
        #expect(check.problems.isEmpty, "\(check.problems)")
        // Commands of plugins not shipped yet are mentioned but only warned about.
        #expect(check.warnings.map(\.description).contains("permissions.yaml:15: 'status' in grants matches no loaded command"))
        #expect(!check.warnings.contains { $0.message.contains("'scale *'") || $0.message.contains("'help'") })
    }

    @Test func scaleRoutesToKubernetesScale() throws {
        let plugins = PluginLoader.load(directory: PackageRoot.path + "/plugins", knownActions: Self.actions)
        let routed = try Router(table: plugins.table).route("scale api-gateway 10").get()
        guard case .plugin(let invocation) = routed else {
            Issue.record("expected a plugin command, got \(routed)")
            return
        }
        #expect(invocation.arguments == ["deployment": .string("api-gateway"), "replicas": .int(10)])
        let step = try #require(invocation.spec.steps.first)
        #expect(step.action == "kubernetes.scale")
        #expect(step.resolve(with: invocation.arguments) == ["deployment": .string("api-gateway"), "replicas": .int(10)])
    }
}
