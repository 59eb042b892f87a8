/// The answers of the built-in commands `help` and `whoami`: only what this person may run.
package struct HelpText: Sendable {
    package let table: CommandTable
    package let policy: PermissionPolicy
    package let slashCommand: String

    package init(table: CommandTable, policy: PermissionPolicy, slashCommand: String) {
        self.table = table
        self.policy = policy
        self.slashCommand = slashCommand
    }

    package func allowed(for requester: Requester, channel: String) -> [CommandSpec] {
        table.commands.filter { policy.decide(requester, path: $0.path, channel: channel) == .allow }
    }

    package func help(for requester: Requester, channel: String, topic: String?) -> String {
        let commands = allowed(for: requester, channel: channel)
        if let topic {
            let matching = commands.filter { $0.path == topic || $0.path.hasPrefix(topic + " ") }
            guard !matching.isEmpty else {
                return "No command `\(ArgumentType.shown(topic))` that you may run here. Try `\(slashCommand) help`."
            }
            return matching.map(detail).joined(separator: "\n\n")
        }
        var lines = ["*Commands you may run here*"]
        lines += commands.map { line($0) }
        lines.append("`\(slashCommand) help` · `\(slashCommand) whoami` — always available")
        if commands.isEmpty {
            lines.append("_You have no other commands here. Ask an admin to add you to a role in permissions.yaml._")
        }
        return lines.joined(separator: "\n")
    }

    package func whoami(for requester: Requester, channel: String) -> String {
        let roles = policy.roles(of: requester)
        let runnable = allowed(for: requester, channel: channel).map(\.path)
        let approvable = table.commands.filter { $0.destructive && policy.mayApprove(requester, path: $0.path) }.map(\.path)
        var lines = ["*You are* <@\(requester.userID)> (`\(requester.userID)`)"]
        lines.append("*Roles:* " + (roles.isEmpty ? "none" : roles.map { "`\($0)`" }.joined(separator: ", ")))
        lines.append("*May run here:* " + (runnable.isEmpty ? "only `help` and `whoami`" : runnable.map { "`\($0)`" }.joined(separator: ", ")))
        lines.append("*May approve:* " + (approvable.isEmpty ? "nothing" : approvable.map { "`\($0)`" }.joined(separator: ", ")))
        if let email = policy.identities[requester.userID] { lines.append("*PagerDuty identity:* \(email)") }
        return lines.joined(separator: "\n")
    }

    private func line(_ spec: CommandSpec) -> String {
        "`\(slashCommand) \(spec.pattern)` — \(spec.summary)" + (spec.destructive ? " _(needs approval)_" : "")
    }

    private func detail(_ spec: CommandSpec) -> String {
        var lines = [line(spec)]
        for name in spec.pattern.argumentNames {
            lines.append("• `\(name)`: " + Self.describe(spec.type(of: name)))
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ type: ArgumentType) -> String {
        switch type {
        case .int(let min, let max):
            switch (min, max) {
            case let (lo?, hi?): "a whole number from \(lo) to \(hi)"
            case let (lo?, nil): "a whole number, at least \(lo)"
            case let (nil, hi?): "a whole number, at most \(hi)"
            case (nil, nil): "a whole number"
            }
        case .oneOf(let choices): "one of " + choices.map { "`\($0)`" }.joined(separator: ", ")
        case .pattern(let p): "text matching `\(p)`"
        case .text(let n): "free text, up to \(n) characters"
        }
    }
}
