import ArgumentParser
import BotConfig
import BotServer
import Engine
import Foundation
import HTTPDriver
import Hummingbird
import Logging
import RelayClient
import ServiceLifecycle
import Store

/// `hybridbot core --relay URL`: the credentialed half. Long-polls the relay (outbound HTTP only), runs each
/// delivery, replies to Slack, acks. It holds the platform's credentials (Kubernetes, database, Redis, Slack bot token,
/// PagerDuty API token) and keeps no durable state: claims, approvals, timers and the audit live at the relay.
struct CoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core",
        abstract: "Run the credentialed core: long-poll a relay, run commands, reply. Needs no inbound port.")

    @Option(name: .long, help: "The relay's base URL, e.g. https://relay.internal:8443")
    var relay: String

    @Option(name: .long, help: "This core's name in leases and the audit (default: host-pid).")
    var name: String?

    @OptionGroup var options: ConfigOption

    func validate() throws {
        guard relay.hasPrefix("http://") || relay.hasPrefix("https://"), URL(string: relay)?.host != nil else {
            throw ValidationError("--relay must be an http:// or https:// URL")
        }
        if let name, CoreName.validated(name) == nil {
            throw ValidationError("--name must be 1–128 printable characters without spaces")
        }
    }

    func run() async throws {
        let runtime = try Startup.runtime(options)
        let config = runtime.config, logger = runtime.logger
        let token = try Startup.relayToken(config)
        let lease = try Startup.leaseDuration(config)
        let (loaded, policy) = try Startup.plugins(config)
        let coreName = name ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"

        let http = HTTPClient(threads: 8)
        let pollHTTP = HTTPClient(threads: 1)
        let connection = RelayConnection(baseURL: relay, token: token, core: coreName, http: http, pollHTTP: pollHTTP, logger: logger)
        let store = RemoteStore(relay: connection, redactor: runtime.redactor)
        let processor = Startup.processor(config, loaded: loaded, policy: policy, store: store, http: http, redactor: runtime.redactor, logger: logger)
        let poller = LeasePoller(processor: processor, inbox: RemoteInbox(relay: connection), owner: coreName, lease: lease, logger: logger)
        // No start-time settling of mid-flight approvals here: another core may be executing them right now.
        let sweeper = ApprovalSweeper(flow: processor.approvals, logger: logger)
        // A timer another core is firing is left alone; one still firing 10 minutes after its claim was orphaned.
        let timers = TimerService(
            store: store, handlers: processor.timerHandlers, logger: logger, now: processor.clock, staleAfter: .seconds(600))
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: timers), .init(service: sweeper), .init(service: poller)]
        if config.values["HYBRIDBOT_LISTEN"].map({ !$0.isEmpty }) ?? false {
            let listen: (host: String, port: Int)
            do { listen = try config.listen } catch { throw fail(error.description) }
            let health = buildHealthApplication(
                registry: runtime.registry,
                problems: { await connection.ping() ? [] : ["relay unreachable or token refused"] },
                host: listen.host, port: listen.port, logger: logger)
            services.append(.init(service: health))
        }
        let reachable = await connection.ping()
        logger.notice("hybridbot core polling", metadata: [
            "relay": "\(RedactedURL.render(relay))", "core": "\(coreName)", "plugins": "\(loaded.plugins.count)",
            "commands": "\(loaded.table.commands.count)", "relay_reachable": "\(reachable)",
        ])
        let failure = await Startup.run(services, logger: logger)
        await http.shutdown()
        await pollHTTP.shutdown()
        if let failure { throw fail("stopped: \(failure)") }
    }
}
