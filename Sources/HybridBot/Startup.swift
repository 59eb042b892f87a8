import Actions
import BotConfig
import BotCore
import Engine
import Foundation
import HTTPDriver
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Slack
import Store

/// What `serve`, `relay` and `core` share at start: settings, logging, metrics, plugins, and the core's processor.
enum Startup {
    struct Runtime {
        let config: BotConfiguration
        let logger: Logger
        let registry: PrometheusCollectorRegistry
        /// Built once: it reads the Kubernetes token file and parses every URL setting.
        let redactor: SecretRedactor
    }

    /// Settings from the environment (and `--config`), then logging with secrets redacted, then metrics.
    static func runtime(_ options: ConfigOption) throws -> Runtime {
        let config: BotConfiguration
        do {
            config = try BotConfiguration.load(environment: ProcessInfo.processInfo.environment, configFile: options.config)
        } catch {
            throw fail(error.description)
        }
        let redactor = config.redactor
        LogSetup.bootstrap(format: config["LOG_FORMAT"] ?? "text", level: config["LOG_LEVEL"] ?? "info", redactor: redactor)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return Runtime(config: config, logger: Logger(label: "hybridbot"), registry: registry, redactor: redactor)
    }

    /// Plugins and permissions, refusing to start on any problem `check` would report.
    static func plugins(_ config: BotConfiguration) throws -> (LoadedConfiguration, PermissionPolicy) {
        let loaded = LoadedConfiguration.load(config, knownActions: ActionCatalog.names.union(PagerDutyActionNames.all))
        guard loaded.problems.isEmpty, let policy = loaded.policy else {
            for problem in loaded.problems { printError(problem.description) }
            throw fail("refusing to start: \(loaded.problems.count) configuration problem(s); `hybridbot check` lists them")
        }
        return (loaded, policy)
    }

    /// The core: routing, permissions, actions against the platform, replies to Slack, PagerDuty — over `store`
    /// (the local SQLite in `serve`, the relay's store API in `core`).
    static func processor(
        _ config: BotConfiguration, loaded: LoadedConfiguration, policy: PermissionPolicy, store: any BotStore, http: HTTPClient,
        redactor: SecretRedactor, logger: Logger
    ) -> CommandProcessor {
        let web = config["SLACK_BOT_TOKEN"].map {
            SlackWebAPI(http: http, baseURL: config["SLACK_API_URL"] ?? "https://slack.com/api", token: $0)
        }
        let poster = SlackPoster(web: web, responseURLs: ResponseURLClient(http: http), redactor: redactor, logger: logger)
        let pagerDuty = PagerDutyWiring.integration(config, http: http, policy: policy, store: store, poster: poster, logger: logger)
        return CommandProcessor(
            table: loaded.table, policy: policy,
            actions: ActionRegistry(ActionCatalog.actions(settings: config.effective, http: http) + pagerDuty.actions), store: store,
            poster: poster, slashCommand: config.slashCommand,
            groups: groupDirectory(config, http: http, logger: logger), logger: logger, pagerDuty: pagerDuty)
    }

    static func groupDirectory(_ config: BotConfiguration, http: HTTPClient, logger: Logger) -> any UserGroupDirectory {
        guard let token = config["SLACK_BOT_TOKEN"] else { return NoUserGroups() }
        let api = SlackWebAPI(http: http, baseURL: config["SLACK_API_URL"] ?? "https://slack.com/api", token: token)
        return SlackUserGroupDirectory(api: api, logger: logger)
    }

    /// The listener's settings: Slack's signing secret and `HYBRIDBOT_LISTEN`.
    static func listener(_ config: BotConfiguration) throws -> (secret: String, listen: (host: String, port: Int)) {
        do {
            let listen = try config.listen
            return (try config.signingSecret, (listen.host, listen.port))
        } catch {
            throw fail(error.description)
        }
    }

    /// `HYBRIDBOT_DB`, opened (created and migrated when needed); a failure is one clear line.
    static func openStore(_ runtime: Runtime) async throws -> HybridStore {
        do {
            return try await HybridStore.open(path: runtime.config.databasePath, redactor: runtime.redactor)
        } catch {
            throw fail("\(error)")
        }
    }

    /// Runs the long-lived services until SIGTERM/SIGINT (shut down in reverse order of the list). A failure — the
    /// listen address is taken, say — is logged and returned, so the caller cleans up and exits non-zero.
    static func run(_ services: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger) async -> (any Error)? {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
            return nil
        } catch {
            logger.error("stopped with an error", metadata: ["error": "\(error)"])
            return error
        }
    }

    /// `HYBRIDBOT_LEASE_SECONDS` (default 30): how long a delivery stays with a core that stopped renewing it.
    static func leaseDuration(_ config: BotConfiguration) throws -> Duration {
        let text = config["HYBRIDBOT_LEASE_SECONDS"] ?? ""  // BotConfiguration's defaults say 30
        guard let seconds = Int(text), (2...3600).contains(seconds) else {
            throw fail("HYBRIDBOT_LEASE_SECONDS must be a whole number of seconds from 2 to 3600, not \(text.prefix(20))")
        }
        return .seconds(seconds)
    }

    /// `HYBRIDBOT_RELAY_TOKEN`: required by `relay` and `core`; long enough not to be guessed.
    static func relayToken(_ config: BotConfiguration) throws -> String {
        guard let token = config["HYBRIDBOT_RELAY_TOKEN"], !token.isEmpty else {
            throw fail("HYBRIDBOT_RELAY_TOKEN is not set: relay and cores authenticate each other with it (e.g. `openssl rand -hex 32`)")
        }
        guard token.count >= 16 else { throw fail("HYBRIDBOT_RELAY_TOKEN is too short: use at least 16 characters (e.g. `openssl rand -hex 32`)") }
        return token
    }
}
