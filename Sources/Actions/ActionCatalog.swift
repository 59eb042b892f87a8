import BotCore
import HTTPDriver

/// Every built-in action of this build, wired from the settings (environment + hybridbot.yaml, defaults included).
package enum ActionCatalog {
    /// The actions, built against `settings` (`REDIS_URL`, `PROMETHEUS_URL`, `KUBERNETES_*`, …).
    package static func actions(settings: [String: String], http: HTTPClient) -> [any Action] {
        let kubernetes = KubernetesConfig.resolve(environment: settings).map { KubernetesClient(config: $0, http: http) }
        let redis = RedisTarget(url: settings["REDIS_URL"] ?? "redis://127.0.0.1:6379/0")
        let prometheus = PrometheusClient(baseURL: settings["PROMETHEUS_URL"] ?? "http://127.0.0.1:9090", http: http)
        let services = [
            "gateway": HTTPService(
                baseURL: settings["HYBRID_API_URL"] ?? "http://127.0.0.1:8000", bearer: settings["HYBRID_API_KEY"],
                bearerSetting: "HYBRID_API_KEY"),
            "notification": HTTPService(
                baseURL: settings["NOTIFICATION_SERVICE_URL"] ?? "http://notification-service.hybrid-ai.svc:8080", bearer: nil,
                bearerSetting: nil),
        ]
        let postgres = PostgresTarget.fromSettings { settings[$0] }
        return KubernetesActions.makeAll(client: kubernetes, templateRoot: settings["HYBRIDBOT_PLUGINS"] ?? "./plugins")
            + PostgresActions.makeAll(target: postgres.database, pgbouncer: postgres.pgbouncer) + [
            RedisDBSize(target: redis), RedisFlushDB(target: redis), RedisQueues(target: redis), RedisCountKeys(target: redis),
            RedisDeleteKeys(target: redis),
            PrometheusQuery(client: prometheus), PrometheusIndicators(client: prometheus),
            HTTPCheck(http: http, services: services), HTTPPost(http: http, services: services),
            ExecAction(),
        ]
    }

    package static func make(settings: [String: String], http: HTTPClient) -> ActionRegistry {
        ActionRegistry(actions(settings: settings, http: http))
    }

    /// The names alone, for validating plugin files without connecting anything (a test keeps it equal to `actions`).
    package static let names: Set<String> = KubernetesActions.names.union(PostgresActions.names).union([
        "redis.dbsize", "redis.flushdb", "redis.queues", "redis.count_keys", "redis.delete_keys",
        "prometheus.query", "prometheus.indicators",
        "http.check", "http.post",
        "exec",
    ])

    /// Actions that change or remove things an approval must bind: only in a `destructive: true` command (`check` says so),
    /// and refused at run time outside an approved plan or break-glass.
    package static let requiringApproval: Set<String> = [
        "redis.flushdb", "redis.delete_keys", "postgres.terminate", "postgres.create_index", "kubernetes.delete_pods",
        "kubernetes.create_job",
    ]

    /// What `check` must refuse about how commands use actions: a step that needs an approval in a command that is not
    /// `destructive: true` (or in its automatic revert, which runs unattended), and `on_failure: continue` on a preview
    /// step or on a step that changes things. (file, line, message) for each.
    package static func usageProblems(in commands: [CommandSpec]) -> [(file: String, line: Int, message: String)] {
        var problems: [(file: String, line: Int, message: String)] = []
        for spec in commands {
            let file = spec.location.file
            for step in spec.steps where requiringApproval.contains(step.action) && !spec.destructive {
                problems.append((file, step.line, "'\(step.action)' runs only after an approval: mark command '\(spec.path)' destructive: true"))
            }
            for step in spec.revert?.steps ?? [] where requiringApproval.contains(step.action) {
                problems.append((file, step.line, "'\(step.action)' cannot be an automatic revert step: it needs an approval"))
            }
            for step in spec.preview where step.parameters["on_failure"] != nil {
                problems.append((file, step.line, "on_failure cannot be set on a preview step: an approval must see every measurement"))
            }
            for step in spec.steps where step.parameters["on_failure"] != nil && (spec.destructive || requiringApproval.contains(step.action)) {
                problems.append((file, step.line, "on_failure: continue is for diagnostics only, not for steps of a destructive command"))
            }
        }
        return problems
    }
}
