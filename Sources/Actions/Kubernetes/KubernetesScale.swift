import BotCore
import HTTPDriver

/// `kubernetes.scale`: set the replica count of a Deployment (or StatefulSet with `kind: statefulset`).
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
        let kind: WorkloadKind = parameters["kind"]?.stringValue == "statefulset" ? .statefulsets : .deployments
        guard let client else { throw ActionFailure(dependency: "Kubernetes", message: KubernetesConfig.notConfiguredMessage) }
        do {
            let result = try await client.scale(kind: kind, name: name, replicas: replicas)
            let running = result.current.map { " (\($0) running before the change)" } ?? ""
            context.logger.info("scaled workload", metadata: [
                "k8s.kind": "\(kind.singular)", "k8s.name": "\(name)", "k8s.replicas": "\(result.desired)",
            ])
            return ActionOutput(
                summary: "Scaled \(kind.singular) `\(name)` in `\(client.config.namespace)` to *\(result.desired)* replicas\(running).",
                facts: ["kind": kind.singular, "name": name, "namespace": client.config.namespace,
                        "replicas": String(result.desired), "previous": result.current.map(String.init) ?? "unknown"])
        } catch {
            throw ActionFailure(
                dependency: "Kubernetes",
                message: "could not scale \(kind.singular) `\(name)`: \(error.message)" + Self.hint(error))
        }
    }

    private static func hint(_ error: KubernetesError) -> String {
        switch error.reason {
        case "NotFound": " Check the name and KUBERNETES_NAMESPACE."
        case "Forbidden": " The bot's service account lacks RBAC permission for this."
        case "Unauthorized": " Check the bot's Kubernetes token."
        case "Timeout", "Unreachable": " Check KUBERNETES_API_URL and that the API server is up."
        default: ""
        }
    }
}
