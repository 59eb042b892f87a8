/// Hand-written checks for what the operator's text may put into a Kubernetes URL or object.
/// (No `Regex`: it is not Sendable, and these rules are short.)
package enum KubernetesNames {
    private static func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
    private static func isAlnum(_ b: UInt8) -> Bool { isLowerAlnum(b) || (b >= 65 && b <= 90) }

    /// A DNS-1123 subdomain: lowercase alphanumerics, `-` and `.`, alphanumeric at both ends, no `..`.
    package static func isValidName(_ name: String) -> Bool {
        let b = Array(name.utf8)
        guard (1...253).contains(b.count), isLowerAlnum(b[0]), isLowerAlnum(b[b.count - 1]) else { return false }
        guard b.allSatisfy({ isLowerAlnum($0) || $0 == 45 || $0 == 46 }) else { return false }
        return !name.contains("..")
    }

    /// A DNS-1123 label (≤ 63, no dots): what a generated Job name prefix must be.
    package static func isValidLabel(_ name: String) -> Bool {
        isValidName(name) && name.utf8.count <= 63 && !name.contains(".")
    }

    /// A label key: optional DNS prefix and `/`, then a name of alphanumerics, `-`, `_`, `.`, alphanumeric at both ends.
    package static func isValidLabelKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last else { return false }
        if parts.count == 2 && !isValidName(String(parts[0])) { return false }
        return isValidLabelValue(String(name)) && !name.isEmpty
    }

    /// A label value: empty, or ≤ 63 of alphanumerics, `-`, `_`, `.`, alphanumeric at both ends, no `..`.
    package static func isValidLabelValue(_ value: String) -> Bool {
        let b = Array(value.utf8)
        if b.isEmpty { return true }
        guard b.count <= 63, isAlnum(b[0]), isAlnum(b[b.count - 1]), !value.contains("..") else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    /// A template substitution value: `[A-Za-z0-9._:/-]+`, at most 253 characters, no `..`.
    package static func isValidTemplateValue(_ value: String) -> Bool {
        let b = Array(value.utf8)
        guard (1...253).contains(b.count), !value.contains("..") else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == 46 || $0 == 95 || $0 == 58 || $0 == 47 || $0 == 45 }
    }
}

/// An equality-based label selector (`app=guardrail-engine,tier!=cache`), validated term by term.
package struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    package struct Term: Sendable, Equatable {
        package let key: String
        package let negated: Bool
        package let value: String
    }
    package let terms: [Term]

    /// nil when any term is not `key=value`, `key==value` or `key!=value` with valid key and value.
    package init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 512 else { return nil }
        var terms: [Term] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let term = String(raw)
            let negated: Bool
            let parts: [Substring]
            if term.contains("!=") {
                negated = true
                parts = term.split(separator: "!=", maxSplits: 1, omittingEmptySubsequences: false)
            } else if term.contains("==") {
                negated = false
                parts = term.split(separator: "==", maxSplits: 1, omittingEmptySubsequences: false)
            } else {
                negated = false
                parts = term.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            }
            guard parts.count == 2 else { return nil }
            let key = String(parts[0]), value = String(parts[1])
            guard KubernetesNames.isValidLabelKey(key), KubernetesNames.isValidLabelValue(value), !value.isEmpty else { return nil }
            terms.append(Term(key: key, negated: negated, value: value))
        }
        self.terms = terms
    }

    /// The canonical text sent as `labelSelector` (percent-encoded by the client).
    package var description: String {
        terms.map { "\($0.key)\($0.negated ? "!=" : "=")\($0.value)" }.joined(separator: ",")
    }

    /// Whether a set of labels matches (used by fakes and by tests of this type).
    package func matches(_ labels: [String: String]) -> Bool {
        terms.allSatisfy { term in
            term.negated ? labels[term.key] != term.value : labels[term.key] == term.value
        }
    }
}
