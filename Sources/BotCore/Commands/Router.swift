/// Turns the words a user typed into a validated command, or says precisely why not.
package struct Router: Sendable {
    package let table: CommandTable

    package init(table: CommandTable) {
        self.table = table
    }

    package func route(_ text: String) -> Result<RoutedCommand, RoutingProblem> {
        let words: [String]
        do { words = try CommandText.tokenize(text) } catch { return .failure(.malformed(error.message)) }
        guard !words.isEmpty else { return .failure(.empty) }
        let lowered = words.map { $0.lowercased() }
        switch lowered[0] {
        case "help":
            return .success(.help(topic: words.count > 1 ? lowered.dropFirst().joined(separator: " ") : nil))
        case "whoami" where words.count == 1:
            return .success(.whoami)
        case "break-glass":
            return breakGlass(Array(words.dropFirst()))
        default:
            break
        }
        if let flag = words.firstIndex(where: { Self.breakGlassFlags.contains($0.lowercased()) }) {
            return breakGlass(Array(words[..<flag]) + ["--"] + Array(words[(flag + 1)...]))
        }
        return route(words: words).map { .plugin($0) }
    }

    /// `cache flush --break-glass "reason"` (also with the em dash some keyboards turn `--` into).
    static let breakGlassFlags: Set<String> = ["--break-glass", "\u{2014}break-glass", "\u{2013}break-glass"]

    /// `break-glass cache flush -- the reason`: a destructive command without approval, for those allowed to.
    private func breakGlass(_ words: [String]) -> Result<RoutedCommand, RoutingProblem> {
        let usage = "Break-glass needs a command and a reason: `cache flush --break-glass \"why this cannot wait for an approval\"`."
        guard let separator = words.firstIndex(where: { $0 == "--" || $0 == "\u{2014}" || $0 == "\u{2013}" }), separator > 0 else {
            return .failure(.malformed(usage))
        }
        let reason = words[(separator + 1)...].joined(separator: " ")
        guard reason.count >= 10 else { return .failure(.malformed("The reason must say why (at least 10 characters). " + usage)) }
        guard reason.count <= 500 else { return .failure(.malformed("The reason is longer than 500 characters.")) }
        return route(words: Array(words[..<separator])).map { .breakGlass($0, reason: reason) }
    }

    /// Routes words to a plugin command (no built-ins).
    func route(words: [String]) -> Result<CommandInvocation, RoutingProblem> {
        guard let first = words.first else { return .failure(.empty) }
        let lowered = words.map { $0.lowercased() }
        // The command whose literal words match the longest prefix of what was typed.
        let candidates = table.commands
            .filter { spec in
                let path = spec.pattern.path.split(separator: " ").map(String.init)
                return path.count <= lowered.count && Array(lowered.prefix(path.count)) == path
            }
            .sorted { $0.pattern.literalCount > $1.pattern.literalCount }
        guard let spec = candidates.first else {
            return .failure(.unknown(typed: first + (words.count > 1 ? " " + words[1] : ""), suggestion: suggestion(for: lowered)))
        }
        return bind(spec, Array(words.dropFirst(spec.pattern.literalCount)))
    }

    private func bind(_ spec: CommandSpec, _ values: [String]) -> Result<CommandInvocation, RoutingProblem> {
        var arguments: [String: ArgumentValue] = [:]
        var remaining = values[...]
        for element in spec.pattern.elements {
            guard case .argument(let name, let optional, let defaultValue, let rest) = element else { continue }
            let raw: String
            if rest, !remaining.isEmpty {
                raw = remaining.joined(separator: " ")
                remaining = []
            } else if let next = remaining.popFirst() {
                raw = next
            } else if let defaultValue {
                raw = defaultValue
            } else if optional {
                continue
            } else {
                return .failure(.usage(spec: spec, problem: "Missing `\(name)`."))
            }
            switch spec.type(of: name).validate(raw, name: name) {
            case .success(let value): arguments[name] = value
            case .failure(let problem): return .failure(.usage(spec: spec, problem: problem.message.capitalizedFirst + "."))
            }
        }
        if !remaining.isEmpty {
            let extra = remaining.map { ArgumentType.shown($0) }.joined(separator: " ")
            return .failure(.usage(spec: spec, problem: "Too many words: `\(extra)` was not expected."))
        }
        return .success(CommandInvocation(spec: spec, arguments: arguments))
    }

    /// The closest known command path to what was typed (edit distance over the same number of words).
    func suggestion(for words: [String]) -> String? {
        var best: (String, Int)?
        for path in table.allPaths {
            let n = path.split(separator: " ").count
            let typed = words.prefix(n).joined(separator: " ")
            let distance = EditDistance.between(typed, path)
            let limit = max(2, path.count / 3)
            if distance <= limit, distance < (best?.1 ?? .max) { best = (path, distance) }
        }
        return best?.0
    }
}

extension String {
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}

enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a.prefix(64)), b = Array(b.prefix(64))
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
