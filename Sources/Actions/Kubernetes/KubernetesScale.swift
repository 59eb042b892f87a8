import BotCore
import HTTPDriver

/// `kubernetes.scale`: set the replica count of a Deployment (or StatefulSet with `kind: statefulset`).
/// Parameters: `deployment` (the name, whatever the kind), `replicas`, optional `kind`, optional `wait_seconds`
/// (0 or absent = do not wait; else poll until available/ready replicas reach the new count, at most 1800 s).
package struct KubernetesScale: Action {
    package let name = "kubernetes.scale"
    package let readOnly = false
    private let client: KubernetesClient?

    /// `client` is nil when Kubernetes is not configured: the action then says so instead of failing obscurely.
    package init(client: KubernetesClient?) {
        self.client = client
    }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let name = try parameters.requiredString("deployment", for: self.name)
        let replicas = try parameters.requiredInt("replicas", for: self.name)
        guard replicas >= 0 else { throw .badParameter(self.name, "replicas must not be negative") }
        let kind = try Self.kind(parameters, for: self.name)
        let wait = try parameters.int("wait_seconds", default: 0, in: 0...1800, for: self.name)
        let client = try client.configured()
        let result: ScaleResult
        do {
            result = try await client.scale(kind: kind, name: name, replicas: replicas)
        } catch {
            throw .kubernetes(error, doing: "scale \(kind.singular) `\(name)`")
        }
        let running = result.current.map { " (\($0) running before the change)" } ?? ""
        context.logger.info("scaled workload", metadata: [
            "k8s.kind": "\(kind.singular)", "k8s.name": "\(name)", "k8s.replicas": "\(result.desired)",
        ])
        var facts = ["kind": kind.singular, "name": name, "namespace": client.config.namespace,
                     "replicas": String(result.desired), "previous": result.current.map(String.init) ?? "unknown"]
        var summary = "Scaled \(kind.singular) `\(name)` in `\(client.config.namespace)` to *\(result.desired)* replicas\(running)."
        if wait > 0 {
            do {
                let final = try await client.waitFor(
                    kind, name, timeout: .seconds(wait), what: "reach \(result.desired) ready replicas",
                    done: { KubernetesClient.scaleComplete(kind, $0) })
                summary += " All \(result.desired) are \(kind == .deployments ? "available" : "ready") (\(RolloutState(final)))."
                facts["ready"] = "true"
            } catch {
                throw .kubernetes(error, doing: "confirm the scale of \(kind.singular) `\(name)` (the new count was set)")
            }
        }
        return ActionOutput(summary: summary, facts: facts)
    }

    /// `kind`: deployment (default) or statefulset.
    static func kind(_ parameters: [String: ResolvedValue], for action: String) throws(ActionFailure) -> WorkloadKind {
        guard let text = parameters.optionalString("kind") else { return .deployments }
        guard let kind = WorkloadKind(parameter: text) else {
            throw .badParameter(action, "parameter `kind` must be deployment or statefulset")
        }
        return kind
    }
}
