/// What an argument accepts. Validated before anything runs; a value is never spliced into a shell, SQL or Redis string.
package enum ArgumentType: Sendable, Equatable {
    case int(min: Int?, max: Int?)
    case oneOf([String])
    /// A regular expression the whole value must match.
    case pattern(String)
    /// Free text (only for `{name...}` rest arguments): printable, no control characters.
    case text(maxLength: Int)

    /// The type of an argument the plugin did not describe: a conservative token.
    package static let defaultToken = ArgumentType.pattern("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}")
}

/// A validated argument value.
package enum ArgumentValue: Sendable, Equatable, CustomStringConvertible {
    case int(Int)
    case string(String)

    package var description: String {
        switch self {
        case .int(let i): String(i)
        case .string(let s): s
        }
    }
}

package struct ArgumentProblem: Error, Equatable, Sendable, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}

extension ArgumentType {
    package func validate(_ raw: String, name: String) -> Result<ArgumentValue, ArgumentProblem> {
        let shown = Self.shown(raw)
        switch self {
        case .int(let min, let max):
            guard raw.utf8.count <= 18, let value = Int(raw) else {
                return .failure(ArgumentProblem(message: "`\(name)` must be a whole number (got `\(shown)`)"))
            }
            if let min, value < min { return .failure(ArgumentProblem(message: "`\(name)` must be at least \(min) (got \(value))")) }
            if let max, value > max { return .failure(ArgumentProblem(message: "`\(name)` must be at most \(max) (got \(value))")) }
            return .success(.int(value))
        case .oneOf(let choices):
            if let match = choices.first(where: { $0 == raw }) ?? choices.first(where: { $0.lowercased() == raw.lowercased() }) {
                return .success(.string(match))
            }
            return .failure(ArgumentProblem(message: "`\(name)` must be one of \(choices.map { "`\($0)`" }.joined(separator: ", ")) (got `\(shown)`)"))
        case .pattern(let source):
            guard raw.utf8.count <= 256, let regex = try? Regex(source), (try? regex.wholeMatch(in: raw)) != nil else {
                return .failure(ArgumentProblem(message: "`\(name)` does not have the expected form (got `\(shown)`)"))
            }
            return .success(.string(raw))
        case .text(let maxLength):
            guard raw.count <= maxLength else {
                return .failure(ArgumentProblem(message: "`\(name)` is longer than \(maxLength) characters"))
            }
            return .success(.string(raw))
        }
    }

    /// A user value, cut short and with backticks removed, safe to echo in a Slack code span.
    static func shown(_ raw: String) -> String {
        let cleaned = raw.replacing("`", with: "'")
        return cleaned.count > 40 ? String(cleaned.prefix(40)) + "…" : cleaned
    }
}
