import ArgumentParser
import BotConfig
import BotServer
import Engine
import Foundation
import HTTPDriver
import Hummingbird
import Logging
import ServiceLifecycle
import Store

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the listener and the core in one process on embedded SQLite (the default way to run).")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let runtime = try Startup.runtime(options)
        let config = runtime.config, logger = runtime.logger
        let (secret, listen) = try Startup.listener(config)
        if let inbox = config["HYBRIDBOT_INBOX"], !inbox.isEmpty {
            throw fail("HYBRIDBOT_INBOX is for `hybridbot relay` (several relays and cores sharing one inbox); `serve` keeps its inbox in HYBRIDBOT_DB")
        }
        let (loaded, policy) = try Startup.plugins(config)

        let store = try await Startup.openStore(runtime)
        let http = HTTPClient(threads: 8)
        let queue = DeliveryQueue()
        let inbox = SQLiteInbox(store: store)
        let processor = Startup.processor(config, loaded: loaded, policy: policy, store: store, http: http, redactor: runtime.redactor, logger: logger)
        _ = try await CoreService.recoverPending(store: store, into: queue, logger: logger)
        let interrupted = try await ApprovalSweeper.interruptedApprovals(in: store)

        let deps = ListenerDependencies(
            signingSecret: secret, slashCommand: config.slashCommand, store: store, queue: queue, inbox: inbox, registry: runtime.registry,
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
        // A stop never waits out a long action (a restore Job may wait 30 min): the core drains for at most 20 s
        // (CoreService), then what did not finish stays `started` in SQLite and is reported as interrupted after the restart.
        let failure = await Startup.run(
            [.init(service: timers), .init(service: sweeper), .init(service: core), .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup)],
            logger: logger)
        queue.finish()
        await http.shutdown()
        await store.close()
        if let failure { throw fail("stopped: \(failure)") }
    }
}
