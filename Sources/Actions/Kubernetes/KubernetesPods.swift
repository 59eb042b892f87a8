import BotCore
import Foundation

/// `kubernetes.pods` (read-only; the preview of `kubernetes.delete_pods`): pods by label.
/// Parameters: `selector` (optional when `not_running` is true), optional `namespace` (`all` = every namespace),
/// optional `not_running: true` (only pods neither Running nor Succeeded, or Running with a container not ready
/// in CrashLoopBackOff and the like).
/// Preview fact `pods`: the exact set of pod names (an approved delete acts on no others).
package struct KubernetesPods: Action {
    package let name = "kubernetes.pods"
    package let readOnly = true
    private let client: KubernetesClient?

    package init(client: KubernetesClient?) { self.client = client }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let notRunning = try parameters.flag("not_running", for: name)
        let selector: LabelSelector? = notRunning && parameters["selector"] == nil ? nil : try parameters.selector(for: name)
        let scope: KubernetesClient.Scope
        switch parameters.optionalString("namespace") {
        case nil: scope = .configured
        case "all"?: scope = .all
        case let ns?:
            guard KubernetesNames.isValidLabel(ns) else { throw .badParameter(name, "`\(ns.prefix(60))` is not a namespace name") }
            scope = .namespace(ns)
        }
        let client = try client.configured()
        let location = Self.describe(scope, client)
        var pods: [KubernetesPod]
        do {
            pods = try await client.pods(selector, scope: scope)
        } catch {
            throw .kubernetes(error, doing: "list pods\(selector.map { " `\($0)`" } ?? "") \(location)")
        }
        if notRunning { pods = pods.filter(Self.isUnhealthy) }
        pods.sort { ($0.metadata.namespace ?? "", $0.metadata.name) < ($1.metadata.namespace ?? "", $1.metadata.name) }

        let what = (notRunning ? "not running " : "") + (selector.map { "`\($0)` " } ?? "")
        let now = Date()
        var columns = ["pod", "status", "ready", "restarts", "age"]
        if scope == .all { columns.insert("namespace", at: 0) }
        let rows = pods.map { pod -> [String] in
            var row = [pod.metadata.name, pod.displayStatus, "\(pod.readyCount)/\(pod.containerCount)", String(pod.restarts),
                       KubernetesFormat.age(since: pod.metadata.created, now: now)]
            if scope == .all { row.insert(pod.metadata.namespace ?? "", at: 0) }
            return row
        }
        let unhealthy = pods.filter(Self.isUnhealthy).count
        let restarts = pods.reduce(0) { $0 + $1.restarts }
        var summary = pods.isEmpty
            ? "No \(what)pods \(location)."
            : "\(KubernetesFormat.count(pods.count, "\(what)pod")) \(location)"
        if !pods.isEmpty {
            summary += notRunning ? "." : ": \(pods.count - unhealthy) healthy, \(unhealthy) not; \(restarts) restarts in total."
        }
        return ActionOutput(
            summary: summary,
            facts: ["pods": String(pods.count), "unhealthy": String(unhealthy), "restarts": String(restarts),
                    "selector": selector?.description ?? "", "namespace": Self.namespaceFact(scope, client)],
            previewFacts: [PreviewFact(name: "pods", value: .set(pods.map(\.metadata.name)))],
            details: pods.isEmpty ? [] : [.table(OutputTable(columns: columns, rows: rows))])
    }

    /// Not Running/Succeeded, or Running with a container that is not ready and waiting (CrashLoopBackOff…).
    static func isUnhealthy(_ pod: KubernetesPod) -> Bool {
        switch pod.phase {
        case "Succeeded": return false
        case "Running": return pod.displayStatus != "Running"
        default: return true
        }
    }

    static func describe(_ scope: KubernetesClient.Scope, _ client: KubernetesClient) -> String {
        switch scope {
        case .configured: "in `\(client.config.namespace)`"
        case .namespace(let ns): "in `\(ns)`"
        case .all: "in all namespaces"
        }
    }

    static func namespaceFact(_ scope: KubernetesClient.Scope, _ client: KubernetesClient) -> String {
        switch scope {
        case .configured: client.config.namespace
        case .namespace(let ns): ns
        case .all: "all"
        }
    }
}
