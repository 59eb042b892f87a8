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
}
