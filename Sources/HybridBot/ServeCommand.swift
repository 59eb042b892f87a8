import Actions
import ArgumentParser
import BotConfig
import BotServer
import Engine
import Foundation
import HTTPDriver
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Slack
import Store

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the listener and the core in one process on embedded SQLite (the default way to run).")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config: BotConfiguration
        let secret: String
        let listen: (host: String, port: Int)
        do {
            config = try BotConfiguration.load(environment: ProcessInfo.processInfo.environment, configFile: options.config)
            secret = try config.signingSecret
            listen = try config.listen
        } catch {
            throw fail(error.description)
        }
        let redactor = config.redactor
        LogSetup.bootstrap(format: config["LOG_FORMAT"] ?? "text", level: config["LOG_LEVEL"] ?? "info", redactor: redactor)
        let logger = Logger(label: "hybridbot")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let loaded = LoadedConfiguration.load(config, knownActions: ActionCatalog.names.union(PagerDutyActionNames.all))
        guard loaded.problems.isEmpty, let policy = loaded.policy else {
            for problem in loaded.problems { printError(problem.description) }
            throw fail("refusing to start: \(loaded.problems.count) configuration problem(s); `hybridbot check` lists them")
        }

        let store: HybridStore
        do {
            store = try await HybridStore.open(path: config.databasePath, redactor: redactor)
        } catch {
            throw fail("\(error)")
        }
        let http = HTTPClient(threads: 8)
        let queue = DeliveryQueue()
        let inbox = SQLiteInbox(store: store)
        let web = config["SLACK_BOT_TOKEN"].map {
            SlackWebAPI(http: http, baseURL: config["SLACK_API_URL"] ?? "https://slack.com/api", token: $0)
        }
        let poster = SlackPoster(web: web, responseURLs: ResponseURLClient(http: http), redactor: redactor, logger: logger)
        let pagerDuty = PagerDutyWiring.integration(config, http: http, policy: policy, store: store, poster: poster, logger: logger)
        let processor = CommandProcessor(
            table: loaded.table, policy: policy,
            actions: ActionRegistry(ActionCatalog.actions(settings: config.effective, http: http) + pagerDuty.actions), store: store,
            poster: poster, slashCommand: config.slashCommand,
            groups: Self.groupDirectory(config, http: http, logger: logger), logger: logger, pagerDuty: pagerDuty)
        _ = try await CoreService.recoverPending(store: store, into: queue, logger: logger)
        let interrupted = try await ApprovalSweeper.interruptedApprovals(in: store)

        let deps = ListenerDependencies(
            signingSecret: secret, slashCommand: config.slashCommand, store: store, queue: queue, inbox: inbox, registry: registry,
            pagerDutySecrets: PagerDutyWiring.webhookSecrets(config))
        let app = buildApplication(deps, host: listen.host, port: listen.port, logger: logger) { port in
            logger.notice("hybridbot listening", metadata: [
                "listen": "\(listen.host):\(port)", "plugins": "\(loaded.plugins.count)", "commands": "\(loaded.table.commands.count)",
                "db": "\(config.databasePath)",
            ])
        }
        let core = CoreService(processor: processor, queue: queue, inbox: inbox, logger: logger)
        let sweeper = ApprovalSweeper(flow: processor.approvals, interruptedAtStart: interrupted, logger: logger)
        let timers = TimerService(store: store, handlers: processor.timerHandlers, logger: logger, now: processor.clock)
        // Listed core first: the group shuts down in reverse, so the listener stops taking requests before the core drains.
        let groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: timers), .init(service: sweeper), .init(service: core), .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // A stop never waits out a long action (a restore Job may wait 30 min): the core drains for at most 20 s
        // (CoreService), then what did not finish stays `started` in SQLite and is reported as interrupted after the restart.
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            logger.error("stopped with an error", metadata: ["error": "\(error)"])
        }
        queue.finish()
        await http.shutdown()
        await store.close()
    }

    static func groupDirectory(_ config: BotConfiguration, http: HTTPClient, logger: Logger) -> any UserGroupDirectory {
        guard let token = config["SLACK_BOT_TOKEN"] else { return NoUserGroups() }
        let api = SlackWebAPI(http: http, baseURL: config["SLACK_API_URL"] ?? "https://slack.com/api", token: token)
        return SlackUserGroupDirectory(api: api, logger: logger)
    }
}
