import Actions
import BotConfig
import BotCore
import HTTPDriver
import Plugins

/// Loads plugins and permissions and checks them against each other: what `check` prints and `serve` refuses to start on.
struct LoadedConfiguration {
    let table: CommandTable
    let policy: PermissionPolicy?
    let plugins: [PluginInfo]
    let problems: [LoadProblem]
    let warnings: [LoadProblem]

    static func load(_ config: BotConfiguration, knownActions: Set<String>) -> LoadedConfiguration {
        let plugins = PluginLoader.load(directory: config.pluginsPath, knownActions: knownActions)
        let permissions = PermissionsLoader.load(path: config.permissionsPath)
        var problems = plugins.problems + permissions.problems
            + ActionCatalog.usageProblems(in: plugins.table.commands).map { LoadProblem(file: $0.file, line: $0.line, message: $0.message) }
        var warnings: [LoadProblem] = []
        if let policy = permissions.policy {
            let cross = ConfigurationCheck.crossCheck(
                table: plugins.table, policy: policy, permissionsFile: config.permissionsPath, globLines: permissions.globLines)
            problems += cross.problems
            warnings += cross.warnings
        }
        return LoadedConfiguration(
            table: plugins.table, policy: permissions.policy, plugins: plugins.plugins, problems: problems, warnings: warnings)
    }
}

extension BotConfiguration {
    var redactor: SecretRedactor { SecretRedactor(secrets: secrets) }
}
