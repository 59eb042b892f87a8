import BotCore
import Foundation

/// `kubernetes.configmap_get` (read-only): a ConfigMap's data. Parameters: `name`, optional `keys` (comma-separated).
/// Preview facts: `NAME.KEY` = `.exact(value)` for every key shown (an approved patch is void if they changed).
package struct KubernetesConfigMapGet: Action {
    package let name = "kubernetes.configmap_get"
    package let readOnly = true
    private let client: KubernetesClient?

    static let maxValueLength = 200

    package init(client: KubernetesClient?) { self.client = client }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let mapName = try parameters.objectName("name", for: name)
        var wanted: [String]?
        if let keys = parameters.optionalString("keys") {
            let list = keys.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !list.isEmpty, list.allSatisfy(KubernetesConfigMapPatch.isValidKey) else {
                throw .badParameter(name, "parameter `keys` must be ConfigMap keys separated by commas")
            }
            wanted = list
        }
        let client = try client.configured()
        let map: KubernetesConfigMap
        do {
            map = try await client.configMap(mapName)
        } catch {
            throw .kubernetes(error, doing: "read ConfigMap `\(mapName)`")
        }
        let data = map.data ?? [:]
        let keys = wanted ?? data.keys.sorted()
        let rows = keys.map { [$0, data[$0].map { Self.shown($0) } ?? "(not set)"] }
        let missing = keys.filter { data[$0] == nil }
        var summary = "ConfigMap `\(mapName)` in `\(client.config.namespace)`: \(KubernetesFormat.count(data.count, "key"))"
        if wanted != nil { summary += ", \(keys.count) shown" }
        summary += missing.isEmpty ? "." : "; not set: " + missing.map { "`\($0)`" }.joined(separator: ", ") + "."
        var facts = ["configmap": mapName, "keys": String(data.count)]
        for key in keys { facts["data.\(key)"] = data[key].map { Self.shown($0) } ?? "" }
        return ActionOutput(
            summary: summary, facts: facts,
            previewFacts: keys.map { PreviewFact(name: "\(mapName).\($0)", value: .exact(data[$0] ?? "")) },
            details: rows.isEmpty ? [] : [.table(OutputTable(columns: ["key", "value"], rows: rows))])
    }

    static func shown(_ value: String) -> String {
        let flat = value.replacingOccurrences(of: "\n", with: "⏎")
        return flat.count > maxValueLength ? String(flat.prefix(maxValueLength)) + "…" : flat
    }
}

/// `kubernetes.configmap_patch`: sets keys of a ConfigMap's `data` with a JSON merge patch; other keys stay.
/// Parameters: `name`; every other parameter except `restart` and `wait_seconds` is a data key (value as text).
/// Optional `restart` (`deployment/NAME` or `statefulset/NAME`): roll that workload out after the patch so it reads
/// the new values (as the runbook's `ratelimit set` does), waiting up to `wait_seconds` (default 300, 0 = no wait).
/// A failed restart fails the step but says the patch itself was applied.
package struct KubernetesConfigMapPatch: Action {
    package let name = "kubernetes.configmap_patch"
    package let readOnly = false
    private let client: KubernetesClient?
    private let progress: KubernetesProgress?

    static let reserved: Set<String> = ["name", "restart", "wait_seconds"]

    package init(client: KubernetesClient?, progress: KubernetesProgress? = nil) {
        self.client = client
        self.progress = progress
    }

    /// ConfigMap keys: `[-._a-zA-Z0-9]+`, at most 253, not `.` or `..`.
    static func isValidKey(_ key: String) -> Bool {
        (1...253).contains(key.utf8.count) && key != "." && key != ".."
            && key.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 || $0 == 95 }
    }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let mapName = try parameters.objectName("name", for: name)
        var data: [String: String] = [:]
        for (key, value) in parameters where !Self.reserved.contains(key) {
            guard Self.isValidKey(key) else { throw .badParameter(name, "`\(key.prefix(60))` is not a valid ConfigMap key") }
            switch value {
            case .string(let s): data[key] = s
            case .int, .double, .bool: data[key] = value.description
            case .list, .map: throw .badParameter(name, "value of `\(key)` must be text or a number")
            }
        }
        guard !data.isEmpty else { throw .badParameter(name, "nothing to set: give at least one key besides `name`") }
        var restart: (WorkloadKind, String)?
        if let text = parameters.optionalString("restart") { restart = try Self.restartTarget(text) }
        let wait = try parameters.int("wait_seconds", default: 300, in: 0...3600, for: name)
        let client = try client.configured()

        let before: [String: String]
        let after: [String: String]
        do {
            before = try await client.configMap(mapName).data ?? [:]
            after = try await client.patchConfigMap(mapName, data: data).data ?? [:]
        } catch {
            throw .kubernetes(error, doing: "patch ConfigMap `\(mapName)`")
        }
        context.logger.notice("patched configmap", metadata: ["k8s.configmap": "\(mapName)", "k8s.keys": "\(data.keys.sorted())"])
        let keys = data.keys.sorted()
        let rows = keys.map { [$0, before[$0].map(KubernetesConfigMapGet.shown) ?? "(not set)", after[$0].map(KubernetesConfigMapGet.shown) ?? "?"] }
        let changes = keys.map { "`\($0)` \(before[$0].map { KubernetesConfigMapGet.shown($0) } ?? "(not set)") → \(after[$0].map { KubernetesConfigMapGet.shown($0) } ?? "?")" }
        var summary = "Patched ConfigMap `\(mapName)` in `\(client.config.namespace)`: " + changes.joined(separator: "; ") + "."
        var facts = ["configmap": mapName]
        for key in keys {
            facts["old.\(key)"] = before[key] ?? ""
            facts["new.\(key)"] = after[key] ?? ""
        }
        var details: [OutputDetail] = [.table(OutputTable(columns: ["key", "old", "new"], rows: rows))]
        if let (kind, workload) = restart {
            let restarted: ActionOutput
            do {
                restarted = try await KubernetesRolloutRestart(client: client, progress: progress).run(
                    ["name": .string(workload), "kind": .string(kind.singular), "wait_seconds": .int(wait)], context: context)
            } catch {
                throw ActionFailure(dependency: error.dependency, message: "ConfigMap `\(mapName)` was patched, but the restart failed: \(error.message)")
            }
            summary += " " + restarted.summary
            facts["restarted"] = "\(kind.singular)/\(workload)"
            details += restarted.details
        }
        return ActionOutput(summary: summary, facts: facts, details: details)
    }

    /// `deployment/NAME` or `statefulset/NAME`.
    static func restartTarget(_ text: String) throws(ActionFailure) -> (WorkloadKind, String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let kind = WorkloadKind(parameter: parts[0]), KubernetesNames.isValidName(parts[1]) else {
            throw .badParameter("kubernetes.configmap_patch", "parameter `restart` must be `deployment/NAME` or `statefulset/NAME`")
        }
        return (kind, parts[1])
    }
}
