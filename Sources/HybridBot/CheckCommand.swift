import Actions
import ArgumentParser
import BotConfig
import Foundation

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration, permissions.yaml and every plugins/*/plugin.yaml.",
        discussion: "Prints every problem as file:line: message. Exits 0 when all is good, 1 otherwise.")

    @OptionGroup var options: ConfigOption

    @Flag(name: .customLong("print-rbac"), help: "Print the least-privilege Kubernetes RBAC the plugins need (ServiceAccount, Role, bindings).")
    var printRBAC = false

    func run() async throws {
        let config: BotConfiguration
        do {
            config = try BotConfiguration.load(environment: ProcessInfo.processInfo.environment, configFile: options.config)
            _ = try config.listen
        } catch {
            print(error.description)
            throw ExitCode(1)
        }
        let loaded = LoadedConfiguration.load(config, knownActions: ActionCatalog.names.union(PagerDutyActionNames.all))
        for problem in loaded.problems { print(problem.description) }
        for warning in loaded.warnings { printError("warning: " + warning.description) }
        if (try? config.signingSecret) == nil {
            printError("note: SLACK_SIGNING_SECRET is not set; `hybridbot serve` will refuse to start without it")
        }
        guard loaded.problems.isEmpty else {
            printError("\(loaded.problems.count) problem(s) found")
            throw ExitCode(1)
        }
        if printRBAC {
            print(KubernetesRBAC.manifest(for: loaded.table.commands, namespace: config["KUBERNETES_NAMESPACE"] ?? "hybrid-ai"), terminator: "")
            return
        }
        print("ok: \(loaded.plugins.count) plugin(s), \(loaded.table.commands.count) command(s), permissions.yaml valid")
    }
}
