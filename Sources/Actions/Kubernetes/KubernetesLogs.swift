import BotCore
import Foundation

/// `kubernetes.logs` (read-only): the last lines of each pod matching `selector`.
/// Parameters: `selector`, optional `tail` (default 20, 1…200), optional `container` (default: each pod's first).
/// Lines that look like credentials are masked; at most 10 pods, lines cut at 300 characters, 6,000 characters in all.
package struct KubernetesLogs: Action {
    package let name = "kubernetes.logs"
    package let readOnly = true
    private let client: KubernetesClient?

    static let maxPods = 10
    static let maxLineLength = 300
    static let maxTotalCharacters = 6000

    package init(client: KubernetesClient?) { self.client = client }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let selector = try parameters.selector(for: name)
        let tail = try parameters.int("tail", default: 20, in: 1...200, for: name)
        let container = parameters.optionalString("container")
        if let container, !KubernetesNames.isValidLabel(container) {
            throw .badParameter(name, "`\(container.prefix(60))` is not a container name")
        }
        let client = try client.configured()
        let pods: [KubernetesPod]
        do {
            pods = try await client.pods(selector).sorted { $0.metadata.name < $1.metadata.name }
        } catch {
            throw .kubernetes(error, doing: "list pods `\(selector)`")
        }
        guard !pods.isEmpty else {
            return ActionOutput(summary: "No pods match `\(selector)` in `\(client.config.namespace)`.", facts: ["pods": "0"])
        }
        let token = (try? client.config.bearerToken()) ?? ""
        let redaction = KubernetesLogRedaction(secrets: [token])
        var budget = Self.maxTotalCharacters
        var blocks: [OutputDetail] = []
        var rows: [[String]] = []
        for pod in pods.prefix(Self.maxPods) {
            let containerName = container ?? pod.spec?.containers.first?.name
            let lines: [String]
            do {
                lines = try await client.logs(pod: pod.metadata.name, container: containerName, tailLines: tail)
            } catch {
                rows.append([pod.metadata.name, containerName ?? "", "–", error.message + error.hint])
                continue
            }
            let shown = Self.fit(lines.map { Self.fenceSafe(redaction.redact(String($0.prefix(Self.maxLineLength)))) }, budget: &budget)
            rows.append([pod.metadata.name, containerName ?? "", String(lines.count), shown.count < lines.count ? "cut to \(shown.count) lines" : ""])
            if !shown.isEmpty {
                blocks.append(.text("*\(pod.metadata.name)*\(containerName.map { " (\($0))" } ?? "")\n```\n" + shown.joined(separator: "\n") + "\n```"))
            }
        }
        let more = pods.count > Self.maxPods ? " (first \(Self.maxPods) of \(pods.count) pods)" : ""
        return ActionOutput(
            summary: "Last \(tail) log lines of \(KubernetesFormat.count(min(pods.count, Self.maxPods), "pod")) matching `\(selector)` in `\(client.config.namespace)`\(more).",
            facts: ["pods": String(pods.count), "selector": selector.description, "tail": String(tail)],
            details: [.table(OutputTable(columns: ["pod", "container", "lines", "note"], rows: rows))] + blocks)
    }

    /// A log line may not close the code block it is shown in.
    static func fenceSafe(_ line: String) -> String {
        line.replacingOccurrences(of: "```", with: "'''")
    }

    /// The newest lines that fit the remaining budget (the end of a log matters most).
    static func fit(_ lines: [String], budget: inout Int) -> [String] {
        var kept: [String] = []
        for line in lines.reversed() {
            guard budget - (line.count + 1) >= 0 else { break }
            budget -= line.count + 1
            kept.append(line)
        }
        return kept.reversed()
    }
}
