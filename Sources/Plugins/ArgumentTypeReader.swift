import BotCore
import Yams

/// Reads one entry of a command's `args`: exactly one of `int: {min, max}`, `one_of: [..]`, `pattern: "regex"`.
struct ArgumentTypeReader {
    let reader: NodeReader

    static let kinds = ["int", "one_of", "pattern"]

    func read(_ node: Node, argument name: String) -> ArgumentType? {
        let context = "argument '\(name)'"
        guard let fields = reader.fields(node, in: context, allowed: Self.kinds) else { return nil }
        guard fields.entries.count == 1, let (kind, _, value) = fields.entries.first else {
            if fields.entries.count > 1 {
                reader.report(node, "\(context) must have exactly one type, found \(NodeReader.list(fields.entries.map(\.name)))")
            } else if !fields.hadUnknownKeys {
                reader.report(node, "\(context) needs a type: \(NodeReader.list(Self.kinds))")
            }
            return nil
        }
        switch kind {
        case "int": return int(value, context: context)
        case "one_of": return oneOf(value, context: context)
        default: return pattern(value, context: context)
        }
    }

    private func int(_ node: Node, context: String) -> ArgumentType? {
        if node.isNull { return .int(min: nil, max: nil) }
        guard let fields = reader.fields(node, in: "int of \(context)", allowed: ["min", "max"]) else { return nil }
        var bounds: [String: Int] = [:]
        var failed = false
        for name in ["min", "max"] {
            guard let valueNode = fields[name] else { continue }
            if let value = reader.int(valueNode, name) { bounds[name] = value } else { failed = true }
        }
        if failed { return nil }
        if let lo = bounds["min"], let hi = bounds["max"], lo > hi {
            reader.report(node, "\(context): min \(lo) is greater than max \(hi)")
            return nil
        }
        return .int(min: bounds["min"], max: bounds["max"])
    }

    private func oneOf(_ node: Node, context: String) -> ArgumentType? {
        guard let items = reader.strings(node, "one_of") else { return nil }
        guard !items.isEmpty else {
            reader.report(node, "\(context): one_of must list at least one value")
            return nil
        }
        var seen = Set<String>()
        for item in items where !seen.insert(item.value.lowercased()).inserted {
            reader.report(item.line, "\(context): one_of lists '\(item.value)' twice")
        }
        return .oneOf(items.map(\.value))
    }

    private func pattern(_ node: Node, context: String) -> ArgumentType? {
        guard let source = reader.string(node, "pattern") else { return nil }
        do {
            _ = try Regex(source)
        } catch {
            reader.report(node, "\(context): pattern '\(source)' is not a valid regular expression")
            return nil
        }
        return .pattern(source)
    }
}
