import Yams

extension Node {
    /// The 1-based line of this node (Yams marks are already 1-based); 0 when unknown.
    var line: Int { mark?.line ?? 0 }

    /// Whether the (resolved) YAML tag is `name`: `10` is an int, `"10"` a string, `~` and nothing at all null.
    func hasTag(_ name: Tag.Name) -> Bool { tag.rawValue == name.rawValue }

    var isNull: Bool {
        guard case .scalar = self else { return false }
        return hasTag(.null)
    }
}

/// The entries of one YAML mapping whose keys were checked against the allowed set.
struct Fields {
    let node: Node
    /// Allowed entries in file order.
    let entries: [(name: String, key: Node, value: Node)]
    /// Whether a key outside the allowed set was reported.
    let hadUnknownKeys: Bool

    subscript(_ name: String) -> Node? { entries.first { $0.name == name }?.value }

    /// The line of `name`'s key, or of the mapping when the key is absent.
    func keyLine(_ name: String) -> Int { entries.first { $0.name == name }?.key.line ?? node.line }
}

/// Reads typed values out of the node tree of one file, recording a problem for everything that is wrong
/// and carrying on, so that a single run reports every problem.
final class NodeReader {
    let file: String
    private(set) var problems: [LoadProblem] = []

    init(file: String) { self.file = file }

    func report(_ line: Int, _ message: String) {
        problems.append(LoadProblem(file: file, line: line, message: message))
    }

    func report(_ node: Node, _ message: String) { report(node.line, message) }

    /// A mapping's entries. Reports a non-mapping, non-string keys, keys not in `allowed` and missing `required` keys.
    func fields(_ node: Node, in context: String, allowed: [String], required: [String] = []) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(node, "\(context) must be a mapping")
            return nil
        }
        var entries: [(name: String, key: Node, value: Node)] = []
        var unknown = false
        for (key, value) in mapping {
            guard let name = scalarText(key) else {
                report(key, "keys in \(context) must be plain strings")
                unknown = true
                continue
            }
            guard allowed.contains(name) else {
                report(key, "unknown key '\(name)' in \(context) (expected \(Self.list(allowed)))")
                unknown = true
                continue
            }
            entries.append((name, key, value))
        }
        for name in required where !entries.contains(where: { $0.name == name }) {
            report(node, "\(context) is missing required key '\(name)'")
        }
        return Fields(node: node, entries: entries, hadUnknownKeys: unknown)
    }

    /// A mapping with free-form string keys (role names, argument names, identities).
    func entries(_ node: Node, in context: String) -> [(name: String, key: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            report(node, "\(context) must be a mapping")
            return nil
        }
        var out: [(name: String, key: Node, value: Node)] = []
        for (key, value) in mapping {
            guard let name = scalarText(key), !name.isEmpty else {
                report(key, "keys in \(context) must be non-empty strings")
                continue
            }
            out.append((name, key, value))
        }
        return out
    }

    /// A non-empty string scalar (numbers are taken as written: `one_of: [1, 2]` are the strings "1" and "2").
    func string(_ node: Node, _ what: String) -> String? {
        guard let text = nonEmptyText(node) else {
            report(node, "'\(what)' must be a non-empty string")
            return nil
        }
        return text
    }

    func int(_ node: Node, _ what: String) -> Int? {
        guard case .scalar(let scalar) = node, node.hasTag(.int), let value = Int.construct(from: scalar) else {
            report(node, "'\(what)' must be a whole number")
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ what: String) -> Bool? {
        guard case .scalar(let scalar) = node, node.hasTag(.bool), let value = Bool.construct(from: scalar) else {
            report(node, "'\(what)' must be true or false")
            return nil
        }
        return value
    }

    func sequence(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(node, "'\(what)' must be a list")
            return nil
        }
        return Array(sequence)
    }

    /// A list of non-empty strings with the line of each; bad items are reported and left out.
    func strings(_ node: Node, _ what: String) -> [(value: String, line: Int)]? {
        guard let items = sequence(node, what) else { return nil }
        return items.compactMap { item in
            guard let text = nonEmptyText(item) else {
                report(item, "items of '\(what)' must be non-empty strings")
                return nil
            }
            return (text, item.line)
        }
    }

    private func nonEmptyText(_ node: Node) -> String? {
        guard let text = scalarText(node), !text.allSatisfy(\.isWhitespace) else { return nil }
        return text
    }

    /// The text of a non-null scalar.
    func scalarText(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node, !node.hasTag(.null) else { return nil }
        return scalar.string
    }

    static func list(_ names: [String]) -> String {
        names.map { "'\($0)'" }.joined(separator: ", ")
    }
}
