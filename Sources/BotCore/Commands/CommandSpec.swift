/// Where something was declared, for `file:line: message` reports.
package struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    package let file: String
    package let line: Int
    package init(file: String, line: Int) { self.file = file; self.line = line }
    package var description: String { "\(file):\(line)" }
}

/// The runbook's success check for a command: read-only steps measured before it runs and again `delaySeconds`
/// after it succeeded, reported as before → after (p95 after scaling, queue depth after a clear…).
package struct VerifySpec: Sendable, Equatable {
    package let delaySeconds: Int
    package let steps: [StepTemplate]

    package init(delaySeconds: Int, steps: [StepTemplate]) {
        self.delaySeconds = delaySeconds
        self.steps = steps
    }
}

/// Steps that undo a command on their own after a while (a guardrails bypass that must end): scheduled durably when
/// the command succeeds, run when `after` has passed — also after a restart — unless a command that `cancels` the
/// same `key` ran first. `after` may reference an argument (`"{duration}"`): `90s`, `30m`, `2h`.
package struct RevertSpec: Sendable, Equatable {
    package let key: String
    package let after: String
    package let steps: [StepTemplate]

    package init(key: String, after: String, steps: [StepTemplate]) {
        self.key = key
        self.after = after
        self.steps = steps
    }

    /// The longest a revert may wait: a forgotten bypass must not outlive a day.
    package static let maxDelaySeconds = 86_400

    /// `90s`, `30m`, `2h` → seconds; nil when malformed, zero or over a day.
    package static func seconds(_ text: String) -> Int? {
        guard let unit = text.last, let number = Int(text.dropLast()), number > 0 else { return nil }
        let seconds: Int
        switch unit {
        case "s": seconds = number
        case "m": seconds = number * 60
        case "h": seconds = number * 3600
        default: return nil
        }
        return seconds <= maxDelaySeconds ? seconds : nil
    }
}

/// A command a plugin offers: pattern, typed arguments, steps.
package struct CommandSpec: Sendable, Equatable {
    package let plugin: String
    package let pattern: CommandPattern
    package let summary: String
    package let arguments: [String: ArgumentType]
    package let destructive: Bool
    package let preview: [StepTemplate]
    package let steps: [StepTemplate]
    package let verify: VerifySpec?
    package let revert: RevertSpec?
    /// A revert key this command ends early (`guardrails bypass off` cancels the `guardrail-bypass` revert).
    package let cancels: String?
    package let location: SourceLocation

    package init(
        plugin: String, pattern: CommandPattern, summary: String, arguments: [String: ArgumentType] = [:],
        destructive: Bool = false, preview: [StepTemplate] = [], steps: [StepTemplate], verify: VerifySpec? = nil,
        revert: RevertSpec? = nil, cancels: String? = nil, location: SourceLocation = SourceLocation(file: "<memory>", line: 0)
    ) {
        self.plugin = plugin
        self.pattern = pattern
        self.summary = summary
        self.arguments = arguments
        self.destructive = destructive
        self.preview = preview
        self.steps = steps
        self.verify = verify
        self.revert = revert
        self.cancels = cancels
        self.location = location
    }

    package var path: String { pattern.path }

    /// The folder of the plugin file that declared this command (nil for commands built in memory).
    package var pluginDirectory: String? {
        guard location.file.hasSuffix(".yaml"), let slash = location.file.lastIndex(of: "/") else { return nil }
        return String(location.file[..<slash])
    }

    /// The type a value is validated with: as declared, else free text for a `{name...}` rest argument, else a token.
    package func type(of argument: String) -> ArgumentType {
        if let declared = arguments[argument] { return declared }
        let isRest = pattern.elements.contains { element in
            if case .argument(argument, _, _, true) = element { true } else { false }
        }
        return isRest ? .text(maxLength: 500) : .defaultToken
    }
}
