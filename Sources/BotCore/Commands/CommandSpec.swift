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
    package let location: SourceLocation

    package init(
        plugin: String, pattern: CommandPattern, summary: String, arguments: [String: ArgumentType] = [:],
        destructive: Bool = false, preview: [StepTemplate] = [], steps: [StepTemplate], verify: VerifySpec? = nil,
        location: SourceLocation = SourceLocation(file: "<memory>", line: 0)
    ) {
        self.plugin = plugin
        self.pattern = pattern
        self.summary = summary
        self.arguments = arguments
        self.destructive = destructive
        self.preview = preview
        self.steps = steps
        self.verify = verify
        self.location = location
    }

    package var path: String { pattern.path }

    /// The type a value is validated with: as declared, else free text for a `{name...}` rest argument, else a token.
    package func type(of argument: String) -> ArgumentType {
        if let declared = arguments[argument] { return declared }
        let isRest = pattern.elements.contains { element in
            if case .argument(argument, _, _, true) = element { true } else { false }
        }
        return isRest ? .text(maxLength: 500) : .defaultToken
    }
}
