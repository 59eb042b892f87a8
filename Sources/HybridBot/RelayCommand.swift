import ArgumentParser
import BotConfig
import BotServer
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Store

/// `hybridbot relay`: the small public listener. Verifies Slack and PagerDuty signatures, stores each delivery durably
/// before acking, and serves the long-poll and store API to cores. It holds the Slack signing secret, the PagerDuty
/// webhook secrets and the relay token — none of the platform's credentials — and is the one arbiter of state.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run only the public listener: verify, store durably, ack, and hand deliveries to cores (long-poll API).")

    @OptionGroup var options: ConfigOption

    func run() async throws {
        let runtime = try Startup.runtime(options)
        let config = runtime.config, logger = runtime.logger
        let (secret, listen) = try Startup.listener(config)
        let token = try Startup.relayToken(config)
        let lease = try Startup.leaseDuration(config)
        let store = try await Startup.openStore(runtime)
        let (inbox, inboxName, closeInbox) = try await Self.inbox(config, store: store, logger: logger)
        let deps = ListenerDependencies(
            signingSecret: secret, slashCommand: config.slashCommand, store: store, queue: nil, inbox: inbox,
            registry: runtime.registry, pagerDutySecrets: PagerDutyWiring.webhookSecrets(config), relayToken: token,
            leaseDuration: lease)
        let app = buildApplication(deps, host: listen.host, port: listen.port, logger: logger) { port in
            logger.notice("hybridbot relay listening", metadata: [
                "listen": "\(listen.host):\(port)", "db": "\(config.databasePath)", "inbox": "\(inboxName)",
                "lease_seconds": "\(lease.components.seconds)",
            ])
        }
        // Listed after the listener, so it hears the stop first: parked long-polls end before the listener drains.
        let endPolls = EndParkedPolls(sessions: deps.pollSessions)
        let failure = await Startup.run(
            [.init(service: app, successTerminationBehavior: .gracefullyShutdownGroup), .init(service: endPolls)], logger: logger)
        await closeInbox?()
        await store.close()
        if let failure { throw fail("stopped: \(failure)") }
    }

    /// `HYBRIDBOT_INBOX`: unset (or `sqlite`) → the deliveries table of `HYBRIDBOT_DB`; `redis://…` → a Redis Stream.
    static func inbox(_ config: BotConfiguration, store: HybridStore, logger: Logger) async throws
        -> (any DeliveryInbox, String, (@Sendable () async -> Void)?)
    {
        guard let setting = config["HYBRIDBOT_INBOX"], !setting.isEmpty, setting != "sqlite" else {
            return (SQLiteInbox(store: store), "sqlite", nil)
        }
        guard setting.hasPrefix("redis://") || setting.hasPrefix("rediss://") else {
            throw fail("HYBRIDBOT_INBOX must be unset, `sqlite`, or a redis:// URL")
        }
        return try await RedisInboxWiring.open(setting, store: store, logger: logger)
    }
}

/// On the relay's graceful stop, answers every parked long-poll at once (cores poll again, elsewhere or later).
struct EndParkedPolls: Service {
    let sessions: PollSessions

    func run() async throws {
        try? await gracefulShutdown()
        sessions.stopAll()
    }
}
