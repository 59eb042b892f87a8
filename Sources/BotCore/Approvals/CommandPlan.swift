import Crypto

/// One measured fact of a preview (`keys: 1234`, `backends: [812, 977]`), with how it may drift before the plan is void.
package struct PreviewFact: Sendable, Equatable, Codable {
    package enum Value: Sendable, Equatable, Codable {
        /// A count that may drift by `tolerance` (a fraction: 0.1 = 10 %) and still be the same plan.
        case count(Int, tolerance: Double)
        /// A value that must be the same exactly.
        case exact(String)
        /// A set that must be the same exactly (order does not matter).
        case set([String])
    }

    package let name: String
    package let value: Value

    package init(name: String, value: Value) {
        self.name = name
        self.value = value
    }

    var canonical: String {
        switch value {
        case .count(let n, _): "\(canonicalField(name))=count:\(n)"
        case .exact(let s): "\(canonicalField(name))=exact:\(canonicalField(s))"
        case .set(let items): "\(canonicalField(name))=set:{\(items.sorted().map(canonicalField).joined(separator: ","))}"
        }
    }
}

/// What will run if approved: the command, its arguments and its live preview, hashed. Approval binds to this.
package struct CommandPlan: Sendable, Equatable, Codable {
    package let command: String
    package let path: String
    package let arguments: [String: String]
    package let facts: [PreviewFact]
    /// The preview as the approver reads it (not hashed: wording may change, facts may not).
    package let previewLines: [String]
    /// What will run (the plugin's steps, canonical): a plugin edited while a request waits voids it.
    package let steps: String
    package let hash: String

    package init(
        command: String, path: String, arguments: [String: String], facts: [PreviewFact], previewLines: [String] = [],
        steps: String = ""
    ) {
        self.command = command
        self.path = path
        self.arguments = arguments
        self.facts = facts
        self.previewLines = previewLines
        self.steps = steps
        var canonical = "path=\(canonicalField(path))\n"
        for (k, v) in arguments.sorted(by: { $0.key < $1.key }) { canonical += "arg.\(canonicalField(k))=\(canonicalField(v))\n" }
        for fact in facts.sorted(by: { $0.name < $1.name }) { canonical += "fact.\(fact.canonical)\n" }
        if !steps.isEmpty { canonical += "steps=\(canonicalField(steps))\n" }
        hash = Hex.encode(SHA256.hash(data: Array(canonical.utf8)))
    }

    /// nil when `current` is materially the same plan; otherwise what changed, in words.
    package func materialDifference(from current: CommandPlan) -> String? {
        guard path == current.path, arguments == current.arguments, steps == current.steps else { return "the command itself differs" }
        var changes: [String] = []
        let now = Dictionary(current.facts.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        for fact in facts {
            guard let value = now[fact.name] else { changes.append("\(fact.name) could not be measured"); continue }
            switch (fact.value, value) {
            case (.count(let was, let tolerance), .count(let isNow, _)):
                let allowed = max(1.0, Double(was) * tolerance)
                if Double(abs(isNow - was)) > allowed { changes.append("\(fact.name) \(was) → \(isNow)") }
            case (.exact(let was), .exact(let isNow)) where was != isNow:
                changes.append("\(fact.name) \(was) → \(isNow)")
            case (.set(let was), .set(let isNow)) where Set(was) != Set(isNow):
                let gone = Set(was).subtracting(isNow).sorted(), new = Set(isNow).subtracting(was).sorted()
                var parts: [String] = []
                if !new.isEmpty { parts.append("new: " + new.joined(separator: ", ")) }
                if !gone.isEmpty { parts.append("gone: " + gone.joined(separator: ", ")) }
                changes.append("\(fact.name) changed (\(parts.joined(separator: "; ")))")
            case (.exact, .exact), (.set, .set):
                break
            default:
                changes.append("\(fact.name) is measured differently")
            }
        }
        // Something measured now that the approvers never saw (a queue that appeared) is a different plan too.
        let approvedNames = Set(facts.map(\.name))
        for fact in current.facts where !approvedNames.contains(fact.name) {
            changes.append("\(fact.name) is new")
        }
        return changes.isEmpty ? nil : changes.joined(separator: "; ")
    }
}

/// `<UTF-8 length>:<text>`: free text in a canonical form can never spell out another field's separators.
private func canonicalField(_ text: String) -> String { "\(text.utf8.count):\(text)" }
