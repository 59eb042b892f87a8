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

enum ActionCatalog {
    /// Every built-in action of this build, wired to the configured dependencies.
    static func make(config: BotConfiguration, http: HTTPClient) -> ActionRegistry {
        let kubernetes = KubernetesConfig.resolve(environment: config.effective).map { KubernetesClient(config: $0, http: http) }
        let redis = RedisTarget(url: config["REDIS_URL"] ?? "redis://127.0.0.1:6379/0")
        let prometheus = PrometheusClient(baseURL: config["PROMETHEUS_URL"] ?? "http://127.0.0.1:9090", http: http)
        let services = [
            "gateway": HTTPService(baseURL: config["HYBRID_API_URL"] ?? "http://127.0.0.1:8000", bearer: config["HYBRID_API_KEY"], bearerSetting: "HYBRID_API_KEY"),
        ]
        return ActionRegistry([
            KubernetesScale(client: kubernetes),
            RedisDBSize(target: redis), RedisFlushDB(target: redis), RedisQueues(target: redis), RedisCountKeys(target: redis),
            RedisDeleteKeys(target: redis),
            PrometheusQuery(client: prometheus), PrometheusIndicators(client: prometheus),
            HTTPCheck(http: http, services: services), HTTPPost(http: http, services: services),
        ])
    }

    /// The names alone, for validating plugin files without connecting anything.
    static var names: Set<String> {
        make(config: BotConfiguration(values: [:]), http: namesOnlyHTTP).names
    }

    /// Never used for a request: `names` builds the registry only to read its names.
    private static let namesOnlyHTTP = HTTPClient(threads: 1)
}

extension BotConfiguration {
    var redactor: SecretRedactor { SecretRedactor(secrets: secrets) }
}
