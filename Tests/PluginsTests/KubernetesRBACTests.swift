import Actions
import BotCore
import Testing

/// RBAC rules follow the plugin steps exactly, narrowed to names the plugin fixes.
@Suite struct KubernetesRBACTests {
    func spec(_ pattern: String, args: [String: ArgumentType] = [:], _ steps: [StepTemplate]) -> CommandSpec {
        CommandSpec(plugin: "t", pattern: try! CommandPattern(parsing: pattern), summary: "s", arguments: args, steps: steps)
    }

    @Test func oneOfArgumentsAndLiteralsBecomeResourceNames() {
        let scale = spec("scale {deployment} {replicas}", args: ["deployment": .oneOf(["api-gateway", "ai-orchestrator"])], [
            StepTemplate(action: "kubernetes.scale", parameters: ["deployment": .string("{deployment}"), "replicas": .string("{replicas}")]),
        ])
        let patch = spec("ratelimit set {n}", [
            StepTemplate(action: "kubernetes.configmap_patch", parameters: ["name": .string("rate-limit-config"), "rate_limit": .string("{n}")]),
        ])
        let yaml = KubernetesRBAC.manifest(for: [scale, patch], namespace: "ns")
        #expect(yaml.contains("""
              - apiGroups: ["apps"]
                resources: ["deployments/scale"]
                resourceNames: ["ai-orchestrator", "api-gateway"]
                verbs: ["patch"]
            """))
        #expect(yaml.contains("""
              - apiGroups: [""]
                resources: ["configmaps"]
                resourceNames: ["rate-limit-config"]
                verbs: ["get", "patch"]
            """))
        #expect(!yaml.contains("ClusterRole"))
        #expect(!yaml.contains("resources: [\"deployments\"]"))  // scale without waiting never reads the Deployment
    }

    @Test func freeArgumentsAreNotNarrowedAndClusterReadsGetAClusterRole() {
        let free = spec("restart {name}", args: ["name": .pattern("^[a-z-]+$")], [
            StepTemplate(action: "kubernetes.rollout_restart", parameters: ["kind": .string("statefulset"), "name": .string("{name}")]),
        ])
        let status = spec("emergency status", [
            StepTemplate(action: "kubernetes.nodes", parameters: [:]),
            StepTemplate(action: "kubernetes.pods", parameters: ["namespace": .string("all")]),
        ])
        let yaml = KubernetesRBAC.manifest(for: [free, status], namespace: "ns")
        #expect(yaml.contains("""
              - apiGroups: ["apps"]
                resources: ["statefulsets"]
                verbs: ["get", "patch"]
            """))
        #expect(yaml.contains("kind: ClusterRole\n"))
        #expect(yaml.contains("""
              - apiGroups: [""]
                resources: ["nodes"]
                verbs: ["list"]
            """))
    }

    @Test func noKubernetesStepsMeansAnEmptyRole() {
        let yaml = KubernetesRBAC.manifest(for: [spec("cache flush", [StepTemplate(action: "redis.flushdb", parameters: [:])])], namespace: "ns")
        #expect(yaml.contains("rules:\n---"))
    }
}

/// `check` refuses commands that would run an approval-only action without one.
@Suite struct ActionUsageTests {
    @Test func approvalOnlyActionsNeedADestructiveCommand() {
        let sneaky = CommandSpec(
            plugin: "t", pattern: try! CommandPattern(parsing: "tidy"), summary: "s",
            steps: [StepTemplate(action: "redis.delete_keys", parameters: ["pattern": .string("x:*")], line: 7)],
            location: SourceLocation(file: "plugins/t/plugin.yaml", line: 5))
        let problems = ActionCatalog.usageProblems(in: [sneaky])
        #expect(problems.map(\.line) == [7])
        #expect(problems.first?.message.contains("destructive: true") == true)
    }

    @Test func onFailureIsForDiagnosticsOnly() {
        let flush = CommandSpec(
            plugin: "t", pattern: try! CommandPattern(parsing: "flush"), summary: "s", destructive: true,
            preview: [StepTemplate(action: "redis.dbsize", parameters: ["on_failure": .string("continue")], line: 3)],
            steps: [StepTemplate(action: "redis.flushdb", parameters: ["on_failure": .string("continue")], line: 4)])
        #expect(ActionCatalog.usageProblems(in: [flush]).map(\.line) == [3, 4])
        let check = CommandSpec(
            plugin: "t", pattern: try! CommandPattern(parsing: "check"), summary: "s",
            steps: [StepTemplate(action: "redis.dbsize", parameters: ["on_failure": .string("continue")], line: 9)])
        #expect(ActionCatalog.usageProblems(in: [check]).isEmpty)
    }
}
