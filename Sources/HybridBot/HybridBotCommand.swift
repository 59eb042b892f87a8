import ArgumentParser

@main
struct HybridBotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hybridbot",
        abstract: "A ChatOps bot that turns the Hybrid AI runbooks into safe Slack commands.",
        subcommands: [ServeCommand.self, RelayCommand.self, CoreCommand.self, CheckCommand.self, SayCommand.self, AuditCommand.self])
}

/// `--config` is shared by every subcommand that reads settings.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Optional hybridbot.yaml with the same keys as the environment, in lower case (environment wins).")
    var config: String?
}

/// A failure already explained to the operator on stderr: exit non-zero without a stack trace or a second message.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    printError("hybridbot: " + message)
    return ExitCode(code)
}

func printError(_ line: String) {
    var stderr = StandardError()
    print(line, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.writeStderr(string)
    }
}
