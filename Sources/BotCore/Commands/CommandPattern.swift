/// One element of a command pattern such as `db long-queries {minutes=5}` or `cache ttl {seconds} [max_size]`.
package enum PatternElement: Sendable, Equatable {
    /// A word the user types as is (`scale`, `db`).
    case literal(String)
    /// A typed argument slot. `rest` swallows every remaining word (`{summary...}`).
    case argument(name: String, optional: Bool, defaultValue: String?, rest: Bool)
}

/// The parsed form of a plugin command's `pattern`.
package struct CommandPattern: Sendable, Equatable, CustomStringConvertible {
    package let elements: [PatternElement]

    package struct SyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
        package let message: String
        package var description: String { message }
    }

    package init(elements: [PatternElement]) {
        self.elements = elements
    }

    /// Parses `scale {deployment} {replicas}`, `db terminate {minutes=10}`, `cache ttl {seconds} [max_size]`,
    /// `emergency declare {summary...}`.
    package init(parsing source: String) throws(SyntaxError) {
        let words = source.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard !words.isEmpty else { throw SyntaxError(message: "pattern is empty") }
        var elements: [PatternElement] = []
        var seenOptional = false
        var names = Set<String>()
        for (index, word) in words.enumerated() {
            if let arg = try Self.argument(word) {
                guard case .argument(let name, let optional, _, let rest) = arg else { continue }
                if index == 0 { throw SyntaxError(message: "pattern must start with a word, not the argument {\(name)}") }
                if !names.insert(name).inserted { throw SyntaxError(message: "argument {\(name)} appears twice") }
                if seenOptional && !optional {
                    throw SyntaxError(message: "required argument {\(name)} cannot follow an optional one")
                }
                if rest && index != words.count - 1 {
                    throw SyntaxError(message: "{\(name)...} takes the rest of the line and must come last")
                }
                seenOptional = seenOptional || optional
                elements.append(arg)
            } else {
                if seenOptional || elements.contains(where: { if case .argument = $0 { true } else { false } }) {
                    throw SyntaxError(message: "word '\(word)' cannot follow an argument")
                }
                guard Self.isPlainWord(word) else {
                    throw SyntaxError(message: "'\(word)' is not a plain lowercase word (a-z, 0-9, -, _)")
                }
                elements.append(.literal(word))
            }
        }
        self.elements = elements
    }

    private static func argument(_ word: String) throws(SyntaxError) -> PatternElement? {
        let optionalForm = word.hasPrefix("[") && word.hasSuffix("]")
        let requiredForm = word.hasPrefix("{") && word.hasSuffix("}")
        guard optionalForm || requiredForm, word.count > 2 else {
            if word.contains(where: { "{}[]".contains($0) }) { throw SyntaxError(message: "malformed argument '\(word)'") }
            return nil
        }
        var inner = String(word.dropFirst().dropLast())
        var rest = false
        if inner.hasSuffix("...") { rest = true; inner.removeLast(3) }
        var defaultValue: String?
        if let eq = inner.firstIndex(of: "=") {
            defaultValue = String(inner[inner.index(after: eq)...])
            inner = String(inner[..<eq])
        }
        guard Self.isIdentifier(inner) else { throw SyntaxError(message: "argument name '\(inner)' must be a lowercase identifier") }
        return .argument(name: inner, optional: optionalForm || defaultValue != nil, defaultValue: defaultValue, rest: rest)
    }

    static func isPlainWord(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// The literal words: the command's path, e.g. `db terminate`. Permission globs match this.
    package var path: String {
        elements.compactMap { if case .literal(let w) = $0 { w } else { nil } }.joined(separator: " ")
    }

    package var literalCount: Int { path.split(separator: " ").count }

    package var argumentNames: [String] {
        elements.compactMap { if case .argument(let name, _, _, _) = $0 { name } else { nil } }
    }

    package var description: String {
        elements.map { element in
            switch element {
            case .literal(let w): return w
            case .argument(let name, let optional, let def, let rest):
                let body = name + (rest ? "..." : "") + (def.map { "=\($0)" } ?? "")
                return optional && def == nil ? "[\(body)]" : "{\(body)}"
            }
        }.joined(separator: " ")
    }
}
