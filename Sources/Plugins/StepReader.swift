import BotCore
import Yams

/// Reads `steps:` / `preview:` lists: each step is a single-key mapping `action.name: {params}`.
struct StepReader {
    let reader: NodeReader
    let knownActions: Set<String>
    /// The pattern's argument names; nil when the pattern is broken (references are then not checked).
    let argumentNames: Set<String>?

    /// Step parameters are small; this bounds the work an alias bomb can cause.
    static let maxValues = 10_000

    func readList(_ node: Node, _ what: String) -> [StepTemplate]? {
        if node.isNull { return [] }
        guard let items = reader.sequence(node, what) else { return nil }
        var steps: [StepTemplate] = []
        var failed = false
        for item in items {
            if let step = read(item) { steps.append(step) } else { failed = true }
        }
        return failed ? nil : steps
    }

    private func read(_ node: Node) -> StepTemplate? {
        guard case .mapping(let mapping) = node else {
            reader.report(node, "a step must be a single-key mapping like 'redis.dbsize: {}'")
            return nil
        }
        guard mapping.count == 1, let (key, value) = mapping.first else {
            let names = mapping.map { reader.scalarText($0.key) ?? "?" }
            reader.report(node, "a step must have exactly one action, found \(names.isEmpty ? "none" : NodeReader.list(names))")
            return nil
        }
        guard let action = reader.scalarText(key) else {
            reader.report(key, "a step's action must be a string")
            return nil
        }
        guard knownActions.contains(action) else {
            reader.report(key, "unknown action '\(action)'")
            return nil
        }
        if value.isNull { return StepTemplate(action: action, parameters: [:], line: node.line) }
        guard let entries = reader.entries(value, in: "parameters of '\(action)'") else { return nil }
        var budget = Self.maxValues
        var parameters: [String: TemplateValue] = [:]
        var failed = false
        for (name, _, valueNode) in entries {
            guard let converted = convert(valueNode, budget: &budget) else { failed = true; continue }
            parameters[name] = converted
            checkReferences(action: action, name: name, value: converted, line: valueNode.line)
        }
        return failed ? nil : StepTemplate(action: action, parameters: parameters, line: node.line)
    }

    private func checkReferences(action: String, name: String, value: TemplateValue, line: Int) {
        guard let argumentNames else { return }
        let referenced = StepTemplate(action: action, parameters: [name: value]).referencedArguments
        for unknown in referenced.subtracting(argumentNames).sorted() {
            reader.report(line, "step '\(action)' refers to {\(unknown)}, which is not an argument of the pattern")
        }
    }

    /// YAML value → `TemplateValue`, typed by the YAML tag (`10` is an int, `"10"` a string).
    private func convert(_ node: Node, budget: inout Int) -> TemplateValue? {
        budget -= 1
        guard budget >= 0 else {
            if budget == -1 { reader.report(node, "step parameters are too large") }
            return nil
        }
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null:
                reader.report(node, "a step parameter cannot be null; quote it (\"\") or leave it out")
                return nil
            case .int:
                guard let value = Int.construct(from: scalar) else {
                    reader.report(node, "number '\(scalar.string)' is out of range")
                    return nil
                }
                return .int(value)
            case .float:
                return Double.construct(from: scalar).map(TemplateValue.double) ?? .string(scalar.string)
            case .bool:
                return Bool.construct(from: scalar).map(TemplateValue.bool) ?? .string(scalar.string)
            default:
                return .string(scalar.string)
            }
        case .sequence(let sequence):
            var items: [TemplateValue] = []
            for item in sequence {
                guard let value = convert(item, budget: &budget) else { return nil }
                items.append(value)
            }
            return .list(items)
        case .mapping:
            guard let entries = reader.entries(node, in: "a step parameter") else { return nil }
            var map: [String: TemplateValue] = [:]
            for (name, _, value) in entries {
                guard let converted = convert(value, budget: &budget) else { return nil }
                map[name] = converted
            }
            return .map(map)
        case .alias:
            reader.report(node, "aliases are not supported in step parameters")
            return nil
        }
    }
}
