import BotCore
import Foundation

/// `kubernetes.nodes` (read-only): nodes with their Ready condition and any pressure condition that is True.
/// Optional `not_ready: true` lists only nodes that are not Ready or have such a condition.
package struct KubernetesNodes: Action {
    package let name = "kubernetes.nodes"
    package let readOnly = true
    private let client: KubernetesClient?

    package init(client: KubernetesClient?) { self.client = client }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let onlyProblems = try parameters.flag("not_ready", for: name)
        let client = try client.configured()
        let all: [KubernetesNode]
        do {
            all = try await client.nodes().sorted { $0.metadata.name < $1.metadata.name }
        } catch {
            throw .kubernetes(error, doing: "list nodes")
        }
        let troubled = all.filter { $0.ready != "True" || !$0.problems.isEmpty }
        let shown = onlyProblems ? troubled : all
        let now = Date()
        let rows = shown.map { node in
            [node.metadata.name, node.ready == "True" ? "Ready" : "NotReady (\(node.ready))",
             node.problems.isEmpty ? "–" : node.problems.joined(separator: ", "), KubernetesFormat.age(since: node.metadata.created, now: now)]
        }
        let notReady = all.filter { $0.ready != "True" }.count
        let summary: String
        if all.isEmpty {
            summary = "The cluster reports no nodes."
        } else if troubled.isEmpty {
            summary = "All \(KubernetesFormat.count(all.count, "node")) are Ready, no pressure conditions."
        } else {
            summary = "\(notReady) of \(KubernetesFormat.count(all.count, "node")) not Ready; \(troubled.count) with a problem."
        }
        return ActionOutput(
            summary: summary,
            facts: ["nodes": String(all.count), "not_ready": String(notReady), "with_problems": String(troubled.count)],
            details: rows.isEmpty ? [] : [.table(OutputTable(columns: ["node", "ready", "conditions", "age"], rows: rows))])
    }
}
