/// Every command the bot knows, built-ins first. Two plugins claiming the same command is a load error (see `duplicates`).
package struct CommandTable: Sendable {
    package let commands: [CommandSpec]

    package static let builtinPaths = ["help", "whoami"]
    /// Words a plugin command may not start with.
    package static let reservedWords = ["help", "whoami", "break-glass"]

    package init(_ commands: [CommandSpec]) {
        self.commands = commands
    }

    /// Pairs of commands with the same path (the later one first), for the loader to report.
    package var duplicates: [(CommandSpec, CommandSpec)] {
        var seen: [String: CommandSpec] = [:]
        var out: [(CommandSpec, CommandSpec)] = []
        for spec in commands {
            if let earlier = seen[spec.path] { out.append((spec, earlier)) } else { seen[spec.path] = spec }
        }
        return out
    }

    package func command(path: String) -> CommandSpec? {
        commands.first { $0.path == path }
    }

    /// Every command path including built-ins.
    package var allPaths: [String] { Self.builtinPaths + commands.map(\.path) }
}

/// What the user asked for, once routed and validated.
package enum RoutedCommand: Sendable, Equatable {
    case help(topic: String?)
    case whoami
    case plugin(CommandInvocation)
    /// A destructive command run without approval by someone allowed to break the glass, with their reason.
    case breakGlass(CommandInvocation, reason: String)
}

/// A plugin command with validated arguments.
package struct CommandInvocation: Sendable, Equatable {
    package let spec: CommandSpec
    package let arguments: [String: ArgumentValue]

    package var path: String { spec.path }

    /// The canonical text of the invocation: path plus arguments in pattern order.
    package var canonicalText: String {
        var words = [spec.path]
        for name in spec.pattern.argumentNames {
            if let value = arguments[name] { words.append(Self.quoted(value.description)) }
        }
        return words.joined(separator: " ")
    }

    private static func quoted(_ s: String) -> String {
        s.contains(" ") ? "\"\(s)\"" : s
    }
}

/// Why a text could not be routed; every case is something to tell the user.
package enum RoutingProblem: Error, Equatable, Sendable {
    case empty
    case malformed(String)
    case unknown(typed: String, suggestion: String?)
    case usage(spec: CommandSpec, problem: String)

    package var message: String {
        switch self {
        case .empty:
            return "No command given. Try `help`."
        case .malformed(let text):
            return text
        case .unknown(let typed, let suggestion):
            let head = "Unknown command `\(ArgumentType.shown(typed))`."
            if let suggestion { return head + " Did you mean `\(suggestion)`? Try `help` for the list." }
            return head + " Try `help` for the list."
        case .usage(let spec, let problem):
            return "\(problem)\nUsage: `\(spec.pattern)` — \(spec.summary)"
        }
    }
}
