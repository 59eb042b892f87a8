import BotCore

/// `kubernetes.patch_resources`: a Deployment container's memory limit (and GPUs), requests derived as in the runbook.
/// Parameters: `deployment`, `memory` (a quantity such as `8Gi`, 1Mi…16Ti), optional `gpus` (0…16), optional
/// `container` (default: the first). Limits: memory and `nvidia.com/gpu`; requests: half the memory, and the same
/// GPU count (Kubernetes requires requests = limits for extended resources such as GPUs).
/// Strategic merge patch: containers merge by name, so image, env and the other containers stay as they are.
package struct KubernetesPatchResources: Action {
    package let name = "kubernetes.patch_resources"
    package let readOnly = false
    private let client: KubernetesClient?

    static let gpuResource = "nvidia.com/gpu"

    package init(client: KubernetesClient?) { self.client = client }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let deployment = try parameters.objectName("deployment", for: name)
        let memory = try parameters.requiredString("memory", for: name)
        guard KubernetesQuantity.memoryLimit(memory) != nil, let halfMemory = KubernetesQuantity.half(ofMemory: memory) else {
            throw .badParameter(name, "`\(memory.prefix(40))` is not a memory size: use a quantity like `8Gi` or `512Mi` (1Mi to 16Ti)")
        }
        let gpus: Int? = parameters["gpus"] == nil ? nil : try parameters.int("gpus", default: 0, in: 0...16, for: name)
        let wantedContainer = parameters.optionalString("container")
        if let wantedContainer, !KubernetesNames.isValidLabel(wantedContainer) {
            throw .badParameter(name, "`\(wantedContainer.prefix(60))` is not a container name")
        }
        let client = try client.configured()

        let current: KubernetesWorkload
        do {
            current = try await client.workload(.deployments, deployment)
        } catch {
            throw .kubernetes(error, doing: "read deployment `\(deployment)`")
        }
        let containers = current.spec?.template?.spec?.containers ?? []
        guard let container = wantedContainer ?? containers.first?.name else {
            throw ActionFailure(dependency: "Kubernetes", message: "deployment `\(deployment)` has no containers")
        }
        guard let before = containers.first(where: { $0.name == container }) else {
            throw .badParameter(name, "deployment `\(deployment)` has no container `\(container)` (it has: \(containers.map(\.name).joined(separator: ", ")))")
        }
        var limits = ["memory": memory]
        var requests = ["memory": halfMemory]
        if let gpus {
            limits[Self.gpuResource] = String(gpus)
            requests[Self.gpuResource] = String(gpus)
        }
        let after: KubernetesWorkload
        do {
            after = try await client.patchResources(deployment: deployment, container: container, limits: limits, requests: requests)
        } catch {
            throw .kubernetes(error, doing: "patch the resources of deployment `\(deployment)`")
        }
        context.logger.notice("patched resources", metadata: ["k8s.deployment": "\(deployment)", "k8s.memory": "\(memory)"])
        let updated = after.spec?.template?.spec?.containers.first(where: { $0.name == container })?.resources
        let old = before.resources
        var rows: [[String]] = [
            ["limits.memory", old?.limits?["memory"] ?? "–", updated?.limits?["memory"] ?? "?"],
            ["requests.memory", old?.requests?["memory"] ?? "–", updated?.requests?["memory"] ?? "?"],
        ]
        if gpus != nil {
            rows.append(["limits.\(Self.gpuResource)", old?.limits?[Self.gpuResource] ?? "–", updated?.limits?[Self.gpuResource] ?? "?"])
            rows.append(["requests.\(Self.gpuResource)", old?.requests?[Self.gpuResource] ?? "–", updated?.requests?[Self.gpuResource] ?? "?"])
        }
        let gpuText = gpus.map { ", \($0) GPU\($0 == 1 ? "" : "s")" } ?? ""
        return ActionOutput(
            summary: "Set resources of `\(container)` in deployment `\(deployment)` (`\(client.config.namespace)`): memory limit \(memory), request \(halfMemory)\(gpuText). The Deployment rolls out new pods.",
            facts: ["deployment": deployment, "container": container, "limits.memory": memory, "requests.memory": halfMemory,
                    "gpus": gpus.map(String.init) ?? ""],
            details: [.table(OutputTable(columns: ["resource", "before", "after"], rows: rows))])
    }
}
