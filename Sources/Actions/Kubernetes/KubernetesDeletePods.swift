import BotCore

/// `kubernetes.delete_pods` (destructive): `kubectl delete pod -l selector` in the configured namespace —
/// their Deployment recreates them. Lists first, then deletes one by one and reports the names.
/// Preview with `kubernetes.pods` (same `selector`): when this runs an approved plan, it deletes only pods that were
/// in the approved `pods` set (new pods that appeared since are left alone and named).
package struct KubernetesDeletePods: Action {
    package let name = "kubernetes.delete_pods"
    package let readOnly = false
    private let client: KubernetesClient?

    package init(client: KubernetesClient?) { self.client = client }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let selector = try parameters.selector(for: name)
        let client = try client.configured()
        let pods: [String]
        do {
            pods = try await client.pods(selector).map(\.metadata.name).sorted()
        } catch {
            throw .kubernetes(error, doing: "list pods `\(selector)`")
        }
        var targets = pods
        var skipped: [String] = []
        switch (context.approvedFact("pods"), context.authorization) {
        case (.set(let approved)?, _):
            targets = pods.filter { approved.contains($0) }
            skipped = pods.filter { !approved.contains($0) }
        case (_, .approved):
            // An approved plan that did not list the pods (its preview was not kubernetes.pods) binds nothing.
            throw ActionFailure(dependency: "Kubernetes", message: "the approved plan has no list of pods "
                                + "(its preview must be kubernetes.pods with the same selector): nothing was deleted")
        default:
            break  // a direct command (only a non-destructive plugin command could do this) or break-glass: what matches now
        }
        var deleted: [String] = []
        var rows: [[String]] = []
        for pod in targets {
            do {
                try await client.deletePod(pod)
                deleted.append(pod)
                rows.append([pod, "deleted"])
            } catch {
                context.logger.warning("pod delete failed", metadata: ["k8s.pod": "\(pod)", "k8s.reason": "\(error.reason ?? "")"])
                if deleted.isEmpty {
                    throw .kubernetes(error, doing: "delete pod `\(pod)`")
                }
                rows.append([pod, "failed: \(error.message)\(error.hint)"])
            }
        }
        rows += skipped.map { [$0, "left alone (not in the approved list)"] }
        context.logger.notice("deleted pods", metadata: ["k8s.selector": "\(selector)", "k8s.count": "\(deleted.count)"])
        let failed = targets.count - deleted.count
        var summary = deleted.isEmpty && targets.isEmpty
            ? "No pods matching `\(selector)` in `\(client.config.namespace)`: nothing deleted."
            : "Deleted \(KubernetesFormat.count(deleted.count, "pod")) matching `\(selector)` in `\(client.config.namespace)`: "
                + deleted.map { "`\($0)`" }.joined(separator: ", ") + "."
        if failed > 0 { summary += " \(failed) could not be deleted." }
        if !skipped.isEmpty { summary += " \(skipped.count) new since the approval left alone." }
        return ActionOutput(
            summary: summary,
            facts: ["selector": selector.description, "deleted": deleted.joined(separator: ","), "failed": String(failed)],
            details: rows.isEmpty ? [] : [.table(OutputTable(columns: ["pod", "result"], rows: rows))])
    }
}
