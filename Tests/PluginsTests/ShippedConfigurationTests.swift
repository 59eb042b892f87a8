import Foundation
import Actions
import BotCore
import Plugins
import Testing

/// The plugin folder and permissions.yaml at the root of this repository must load cleanly.
@Suite("Shipped configuration")
struct ShippedConfigurationTests {
    static let actions = ActionCatalog.names.union(PagerDutyActionNames.all)

    @Test func pluginsLoadWithoutProblems() throws {
        let result = PluginLoader.load(directory: PackageRoot.path + "/plugins", knownActions: Self.actions)
        #expect(result.problems.isEmpty, "\(result.problems)")
        let usage = ActionCatalog.usageProblems(in: result.table.commands)
        #expect(usage.isEmpty, "\(usage)")
        let info = try #require(result.plugins.first { $0.name == "high-response-time" })
        #expect(info.commandCount == result.table.commands.filter { $0.plugin == "high-response-time" }.count)
        #expect(info.runbook.hasPrefix("Runbook 1"))
        #expect(info.file == PackageRoot.path + "/plugins/high-response-time/plugin.yaml")
        let scale = try #require(result.table.command(path: "scale"))
        let lines = try String(contentsOfFile: info.file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let patternLine = try #require(lines.firstIndex { $0.contains(#"pattern: "scale {deployment}"#) }) + 1
        let stepLine = try #require(lines.firstIndex { $0.contains("- kubernetes.scale:") }) + 1
        #expect(scale.location == SourceLocation(file: info.file, line: patternLine))
        #expect(scale.steps.map(\.line) == [stepLine])
    }

    @Test func permissionsLoadWithoutProblems() throws {
        let result = PermissionsLoader.load(path: PackageRoot.path + "/permissions.yaml")
        #expect(result.problems.isEmpty, "\(result.problems)")
        let policy = try #require(result.policy)
        #expect(policy.breakGlassRoles == ["commander"])
        #expect(policy.identities["U01ALICE"] == "alice@example.com")
        #expect(policy.approvalRule(for: "db terminate")?.required == 1)
        #expect(policy.approvalRule(for: "db restore")?.required == 2)
        #expect(policy.decide(Requester(userID: "U01ALICE"), path: "scale", channel: "C0OPS") == .allow)
    }

    @Test func crossCheckPassesWithWarningsOnly() throws {
        let plugins = PluginLoader.load(directory: PackageRoot.path + "/plugins", knownActions: Self.actions)
        let permissions = PermissionsLoader.load(path: PackageRoot.path + "/permissions.yaml")
        let policy = try #require(permissions.policy)
        let check = ConfigurationCheck.crossCheck(
            table: plugins.table, policy: policy, permissionsFile: "permissions.yaml", globLines: permissions.globLines)
        #expect(check.problems.isEmpty, "\(check.problems)")
        // Commands of plugins not shipped yet may be mentioned but are only warned about; shipped ones match.
        for glob in ["'scale *'", "'help'", "'status'", "'db *'", "'review *'", "'cache *'"] {
            #expect(!check.warnings.contains { $0.message.contains(glob) }, "\(glob)")
        }
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

    /// deploy/kubernetes/rbac.yaml is exactly what `hybridbot check --print-rbac` generates from the shipped plugins.
    @Test func rbacManifestMatchesThePlugins() throws {
        let plugins = PluginLoader.load(directory: PackageRoot.path + "/plugins", knownActions: Self.actions)
        let generated = KubernetesRBAC.manifest(for: plugins.table.commands, namespace: "hybrid-ai")
        let shipped = try String(contentsOfFile: PackageRoot.path + "/deploy/kubernetes/rbac.yaml", encoding: .utf8)
        #expect(generated == shipped, "regenerate it: hybridbot check --print-rbac > deploy/kubernetes/rbac.yaml")
        // Least privilege: no wildcard, no secrets, no exec into pods.
        #expect(!shipped.contains("\"*\""))
        #expect(!shipped.contains("secrets"))
        #expect(!shipped.contains("pods/exec"))
    }
}
