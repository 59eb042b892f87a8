import BotCore
import Yams

/// Reads one entry of a plugin's `commands:` list into a `CommandSpec`, reporting everything wrong with it.
struct CommandReader {
    let reader: NodeReader
    let plugin: String
    let knownActions: Set<String>

    static let keys = ["pattern", "summary", "args", "destructive", "preview", "steps", "verify", "revert", "cancels"]
    /// A verification may wait at most this long (one hour) after the command.
    static let maxVerifyDelay = 3_600
    static let requiredKeys = ["pattern", "summary", "steps"]

    func read(_ node: Node) -> CommandSpec? {
        guard let fields = reader.fields(node, in: "command", allowed: Self.keys, required: Self.requiredKeys) else {
            return nil
        }
        let pattern = fields["pattern"].flatMap(readPattern)
        let summary = fields["summary"].flatMap { reader.string($0, "summary") }
        let destructive = fields["destructive"].map { reader.bool($0, "destructive") } ?? false
        let arguments = fields["args"].map { readArguments($0, pattern: pattern) } ?? [:]
        let steps = StepReader(reader: reader, knownActions: knownActions, argumentNames: pattern.map { Set($0.argumentNames) })
        let preview = fields["preview"].map { steps.readList($0, "preview") } ?? []
        let body = fields["steps"].flatMap { steps.readList($0, "steps") }
        let verify: VerifySpec?? = fields["verify"].map { readVerify($0, steps: steps) }
        let revert: RevertSpec?? = fields["revert"].map { readRevert($0, steps: steps, pattern: pattern) }
        let cancels: String?? = fields["cancels"].map { reader.string($0, "cancels") }
        if let body, body.isEmpty {
            reader.report(fields.keyLine("steps"), "command '\(pattern?.path ?? "?")' has no steps")
        }
        guard let pattern, let summary, let destructive, let arguments, let preview, let body, !body.isEmpty else {
            return nil
        }
        if case .some(.none) = verify { return nil }
        if case .some(.none) = revert { return nil }
        if case .some(.none) = cancels { return nil }
        guard checkDefaults(pattern, arguments, line: fields.keyLine("pattern")) else { return nil }
        return CommandSpec(
            plugin: plugin, pattern: pattern, summary: summary, arguments: arguments, destructive: destructive,
            preview: preview, steps: body, verify: verify ?? nil,
            revert: revert ?? nil, cancels: cancels ?? nil, location: SourceLocation(file: reader.file, line: fields.keyLine("pattern"))
        )
    }

    /// `verify: { after: 60, steps: [...] }` — `after` in seconds (0…3600), steps read-only (checked when run).
    private func readVerify(_ node: Node, steps: StepReader) -> VerifySpec? {
        guard let fields = reader.fields(node, in: "verify", allowed: ["after", "steps"], required: ["steps"]) else { return nil }
        var delay = 60
        if let after = fields["after"] {
            guard let seconds = reader.int(after, "after") else { return nil }
            guard (0...Self.maxVerifyDelay).contains(seconds) else {
                reader.report(after, "verify 'after' must be between 0 and \(Self.maxVerifyDelay) seconds")
                return nil
            }
            delay = seconds
        }
        guard let list = fields["steps"].flatMap({ steps.readList($0, "verify steps") }) else { return nil }
        guard !list.isEmpty else {
            reader.report(fields.keyLine("steps"), "verify has no steps")
            return nil
        }
        return VerifySpec(delaySeconds: delay, steps: list)
    }

    /// `revert: { key: guardrail-bypass, after: "{duration}", steps: [...] }`.
    private func readRevert(_ node: Node, steps: StepReader, pattern: CommandPattern?) -> RevertSpec? {
        guard let fields = reader.fields(node, in: "revert", allowed: ["key", "after", "steps"], required: ["key", "after", "steps"]) else {
            return nil
        }
        guard let key = fields["key"].flatMap({ reader.string($0, "key") }), let afterNode = fields["after"],
              let after = reader.string(afterNode, "after") else { return nil }
        let references = StepTemplate.references(in: after)
        if references.isEmpty {
            guard RevertSpec.seconds(after) != nil else {
                reader.report(afterNode, "revert 'after' must be like 90s, 30m or 2h (at most 24h), or one argument like \"{duration}\"")
                return nil
            }
        } else if references.count != 1 || after != "{\(references[0])}" || !(pattern?.argumentNames.contains(references[0]) ?? true) {
            reader.report(afterNode, "revert 'after' must be a duration or exactly one argument of the pattern, like \"{duration}\"")
            return nil
        }
        guard let list = fields["steps"].flatMap({ steps.readList($0, "revert steps") }) else { return nil }
        guard !list.isEmpty else {
            reader.report(fields.keyLine("steps"), "revert has no steps")
            return nil
        }
        return RevertSpec(key: key, after: after, steps: list)
    }

    private func readPattern(_ node: Node) -> CommandPattern? {
        guard let source = reader.string(node, "pattern") else { return nil }
        do {
            return try CommandPattern(parsing: source)
        } catch {
            reader.report(node, "invalid pattern '\(source)': \(error.message)")
            return nil
        }
    }

    /// `args:` — every key must be an argument of the pattern; nil when anything is wrong.
    private func readArguments(_ node: Node, pattern: CommandPattern?) -> [String: ArgumentType]? {
        if node.isNull { return [:] }
        guard let entries = reader.entries(node, in: "args") else { return nil }
        let typeReader = ArgumentTypeReader(reader: reader)
        var arguments: [String: ArgumentType] = [:]
        var failed = false
        for (name, key, value) in entries {
            if let pattern, !pattern.argumentNames.contains(name) {
                let known = pattern.argumentNames.isEmpty ? "it has no arguments" : "it has \(NodeReader.list(pattern.argumentNames))"
                reader.report(key, "argument '\(name)' is not in the pattern '\(pattern)' (\(known))")
                failed = true
            }
            if let type = typeReader.read(value, argument: name) { arguments[name] = type } else { failed = true }
        }
        return failed ? nil : arguments
    }

    /// A default such as `{minutes=5}` must itself be a valid value, or the command could never run without it.
    private func checkDefaults(_ pattern: CommandPattern, _ arguments: [String: ArgumentType], line: Int) -> Bool {
        var valid = true
        for case .argument(let name, _, let defaultValue?, let rest) in pattern.elements {
            // The router's rule: an undeclared rest argument is free text.
            let type = rest && arguments[name] == nil ? ArgumentType.text(maxLength: 500) : arguments[name] ?? .defaultToken
            if case .failure(let problem) = type.validate(defaultValue, name: name) {
                reader.report(line, "default value '\(defaultValue)' of {\(name)} is not valid: \(problem.message)")
                valid = false
            }
        }
        return valid
    }
}
