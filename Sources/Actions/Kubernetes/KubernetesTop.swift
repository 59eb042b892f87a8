import BotCore

/// `kubernetes.top` (read-only): CPU and memory from metrics.k8s.io v1beta1, highest CPU first, top 10.
/// Parameters: `kind` pods (default) | nodes, optional `selector` (pods only).
package struct KubernetesTop: Action {
    package let name = "kubernetes.top"
    package let readOnly = true
    private let client: KubernetesClient?

    static let limit = 10

    package init(client: KubernetesClient?) { self.client = client }

    struct Usage {
        let name: String
        let cpu: KubernetesQuantity
        let memory: KubernetesQuantity
    }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let kind = parameters.optionalString("kind") ?? "pods"
        guard kind == "pods" || kind == "nodes" || kind == "pod" || kind == "node" else {
            throw .badParameter(name, "parameter `kind` must be pods or nodes")
        }
        let nodes = kind.hasPrefix("node")
        let selector: LabelSelector? = parameters["selector"] == nil ? nil : try parameters.selector(for: name)
        if nodes && selector != nil { throw .badParameter(name, "`selector` only applies to pods") }
        let client = try client.configured()
        var usage: [Usage]
        do {
            if nodes {
                usage = try await client.nodeMetrics().map { Self.usage($0.metadata.name, [$0.usage]) }
            } else {
                usage = try await client.podMetrics(selector).map { Self.usage($0.metadata.name, $0.containers.map(\.usage)) }
            }
        } catch {
            throw .kubernetes(error, doing: "read \(nodes ? "node" : "pod") metrics")
        }
        usage.sort { ($0.cpu, $1.name) > ($1.cpu, $0.name) }
        let top = usage.prefix(Self.limit)
        let scope = nodes ? "nodes" : "pods\(selector.map { " `\($0)`" } ?? "") in `\(client.config.namespace)`"
        guard let first = top.first else {
            return ActionOutput(summary: "No metrics for \(scope) yet.", facts: ["count": "0"])
        }
        let rows = top.map { [$0.name, $0.cpu.cpuDescription, $0.memory.memoryDescription] }
        let more = usage.count > Self.limit ? " (top \(Self.limit) of \(usage.count))" : ""
        return ActionOutput(
            summary: "CPU and memory of \(scope)\(more); busiest: `\(first.name)` at \(first.cpu.cpuDescription) CPU, \(first.memory.memoryDescription).",
            facts: ["count": String(usage.count), "top": first.name, "top_cpu_millicores": String(Int((first.cpu.value * 1000).rounded()))],
            details: [.table(OutputTable(columns: [nodes ? "node" : "pod", "cpu", "memory"], rows: rows))])
    }

    /// Sums the containers; an unparsable quantity counts as zero rather than hiding the row.
    static func usage(_ name: String, _ parts: [[String: String]]) -> Usage {
        let cpu = parts.reduce(0.0) { $0 + (KubernetesQuantity($1["cpu"] ?? "")?.value ?? 0) }
        let memory = parts.reduce(0.0) { $0 + (KubernetesQuantity($1["memory"] ?? "")?.value ?? 0) }
        return Usage(name: name, cpu: KubernetesQuantity(value: cpu), memory: KubernetesQuantity(value: memory))
    }
}
