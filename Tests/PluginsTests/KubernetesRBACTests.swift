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
