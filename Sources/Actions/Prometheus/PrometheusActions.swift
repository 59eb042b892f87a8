import BotCore
import Foundation

/// One indicator of a plugin file: a PromQL query, how to show its value, and its healthy range.
struct IndicatorSpec: Sendable {
    let name: String
    let query: String
    /// Shown after the number: `ms`, `%`, `` (none)…
    let unit: String
    /// Multiplies the raw value (seconds → ms: 1000; ratio → %: 100).
    let scale: Double
    let max: Double?
    let min: Double?
    /// When the query returns several series: the label naming each (a table instead of one line).
    let by: String?

    init(_ map: [String: ResolvedValue], action: String) throws(ActionFailure) {
        guard let name = map["name"]?.stringValue, !name.isEmpty else { throw .badParameter(action, "each indicator needs a `name`") }
        guard let query = map["query"]?.stringValue, !query.isEmpty else { throw .badParameter(action, "indicator `\(name)` needs a `query`") }
        self.name = name
        self.query = query
        unit = map["unit"]?.stringValue ?? ""
        scale = map["scale"]?.doubleValue ?? 1
        max = map["max"]?.doubleValue
        min = map["min"]?.doubleValue
        by = map["by"]?.stringValue
    }

    var threshold: String? {
        switch (min, max) {
        case let (lo?, hi?): "healthy \(format(lo))–\(format(hi))"
        case let (nil, hi?): "healthy below \(format(hi))"
        case let (lo?, nil): "healthy above \(format(lo))"
        case (nil, nil): nil
        }
    }

    func healthy(_ value: Double) -> Bool? {
        if min == nil && max == nil { return nil }
        if value.isNaN { return false }
        if let max, value >= max { return false }
        if let min, value <= min { return false }
        return true
    }

    func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        let digits = abs(value) >= 100 || value == value.rounded() ? 0 : (abs(value) >= 1 ? 1 : 2)
        let number = String(format: "%.\(digits)f", value)
        return unit.isEmpty ? number : (unit == "%" ? number + " %" : number + " " + unit)
    }
}

/// Evaluates indicator specs against Prometheus; a failed query is an unjudged line that says why, never a crash.
struct IndicatorEvaluator: Sendable {
    let client: PrometheusClient

    struct Evaluated: Sendable {
        var details: [OutputDetail] = []
        var facts: [String: String] = [:]
        var red = 0
        var green = 0
        var unknown = 0
        var failures: [String] = []
    }

    func evaluate(_ specs: [IndicatorSpec]) async -> Evaluated {
        // (A typed `do throws` inside the child closure was miscompiled in release builds — garbage indices, a crash under
        // `make run` — so each query goes through a plain function returning a Result.)
        let answers = await withTaskGroup(of: (Int, Result<PrometheusResult, PrometheusError>).self) { group in
            for (index, spec) in specs.enumerated() {
                let client = self.client, query = spec.query
                group.addTask { (index, await Self.answer(client, query)) }
            }
            var collected: [Int: Result<PrometheusResult, PrometheusError>] = [:]
            for await (index, result) in group { collected[index] = result }
            return collected
        }
        let results = specs.indices.map { answers[$0] }
        var out = Evaluated()
        for (spec, result) in zip(specs, results) {
            switch result {
            case .success(let answer)?:
                if let by = spec.by, case .vector(let samples) = answer, !samples.isEmpty {
                    var rows: [[String]] = []
                    let judged = spec.threshold != nil
                    for sample in samples.sorted(by: { ($0.value.isNaN ? -.infinity : $0.value) > ($1.value.isNaN ? -.infinity : $1.value) }) {
                        let value = sample.value * spec.scale
                        let healthy = spec.healthy(value)
                        count(healthy, into: &out)
                        let cells = [sample.labels[by] ?? "(no \(by))", spec.format(value)]
                        rows.append(judged ? [mark(healthy)] + cells : cells)
                    }
                    let columns = judged ? ["", by, "value"] : [by, "value"]
                    out.details.append(.table(OutputTable(title: spec.name + (spec.threshold.map { " (\($0))" } ?? ""), columns: columns, rows: rows)))
                    out.facts[spec.name] = String(rows.count) + " series"
                } else if let raw = answer.firstValue {
                    let value = raw * spec.scale
                    let healthy = spec.healthy(value)
                    count(healthy, into: &out)
                    out.details.append(.indicator(name: spec.name, value: spec.format(value), threshold: spec.threshold, healthy: healthy))
                    out.facts[spec.name] = String(value)
                } else {
                    out.unknown += 1
                    out.details.append(.indicator(name: spec.name, value: "no data (the query matched no series)", threshold: spec.threshold, healthy: nil))
                }
            case .failure(let error)?:
                out.unknown += 1
                out.failures.append(error.message)
                out.details.append(.indicator(name: spec.name, value: "unavailable — \(error.message)", threshold: spec.threshold, healthy: nil))
            case nil:
                out.unknown += 1
            }
        }
        return out
    }

    private static func answer(_ client: PrometheusClient, _ query: String) async -> Result<PrometheusResult, PrometheusError> {
        do {
            return .success(try await client.query(query))
        } catch {
            return .failure(error)
        }
    }

    private func count(_ healthy: Bool?, into out: inout Evaluated) {
        switch healthy {
        case true?: out.green += 1
        case false?: out.red += 1
        case nil: out.unknown += 1
        }
    }

    private func mark(_ healthy: Bool?) -> String { OutputLine.mark(healthy) }
}

/// `prometheus.indicators` (read-only): several indicators against thresholds (`indicators:` list of
/// `{name, query, unit, scale, max, min, by}`). Never fails because one query did: each line says what it found.
package struct PrometheusIndicators: Action {
    package let name = "prometheus.indicators"
    package let readOnly = true
    let client: PrometheusClient

    package init(client: PrometheusClient) { self.client = client }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        guard case .list(let items)? = parameters["indicators"], !items.isEmpty else {
            throw .badParameter(name, "`indicators` must be a list of {name, query, …}")
        }
        var specs: [IndicatorSpec] = []
        for item in items {
            guard case .map(let map) = item else { throw .badParameter(name, "each indicator must be a mapping") }
            specs.append(try IndicatorSpec(map, action: name))
        }
        let result = await IndicatorEvaluator(client: client).evaluate(specs)
        if result.failures.count == specs.count, let first = result.failures.first {
            throw ActionFailure(dependency: "Prometheus", message: first + ". Check PROMETHEUS_URL and that Prometheus is up.")
        }
        let title = parameters["title"]?.stringValue ?? "Key indicators"
        var verdict = result.red == 0 ? "all green" : "*\(result.red) red*"
        if result.unknown > 0 { verdict += ", \(result.unknown) without data" }
        var facts = result.facts
        facts["red"] = String(result.red)
        return ActionOutput(summary: "\(title) (Prometheus): \(verdict)", facts: facts, details: result.details)
    }
}

/// `prometheus.query` (read-only): one indicator (`name`, `query`, `unit`, `scale`, `max`, `min`, `by`);
/// fails with what to check when Prometheus cannot answer. Facts: `value` (scaled) for before/after checks.
package struct PrometheusQuery: Action {
    package let name = "prometheus.query"
    package let readOnly = true
    let client: PrometheusClient

    package init(client: PrometheusClient) { self.client = client }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let spec = try IndicatorSpec(parameters, action: name)
        let result = await IndicatorEvaluator(client: client).evaluate([spec])
        if let failure = result.failures.first {
            throw ActionFailure(dependency: "Prometheus", message: failure + ". Check PROMETHEUS_URL and that Prometheus is up.")
        }
        var facts = result.facts
        if let value = result.facts[spec.name] { facts["value"] = value }
        let summary: String
        switch result.details.first {
        case .indicator(let n, let value, let threshold, let healthy)?:
            summary = OutputLine.indicator(name: n, value: value, threshold: threshold, healthy: healthy)
            return ActionOutput(summary: summary, facts: facts)
        default:
            // A table by label: its title says what it is; the summary only adds the verdict.
            let verdict = spec.threshold == nil ? "" : (result.red > 0 ? ": *\(result.red) red*" : ": all green")
            var details = result.details
            if case .table(var table)? = details.first, details.count == 1 {
                summary = "*\(table.title ?? spec.name)*" + verdict
                table.title = nil
                details = [.table(table)]
            } else {
                summary = "*\(spec.name)*" + verdict
            }
            return ActionOutput(summary: summary, facts: facts, details: details)
        }
    }
}

/// The one-line form of an indicator, shared by the renderer and actions that print a single value.
package enum OutputLine {
    package static func indicator(name: String, value: String, threshold: String?, healthy: Bool?) -> String {
        "\(mark(healthy)) *\(name)*: \(value)" + (threshold.map { " (\($0))" } ?? "")
    }

    /// 🟢 healthy, 🔴 not, ⚪️ not judged.
    package static func mark(_ healthy: Bool?) -> String {
        switch healthy { case true?: "🟢"; case false?: "🔴"; case nil: "⚪️" }
    }
}
