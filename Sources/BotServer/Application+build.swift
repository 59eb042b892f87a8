import Engine
import Hummingbird
import Logging
import Prometheus
import Store

/// Everything the listener needs, built by `serve` and by the tests alike.
package struct ListenerDependencies: Sendable {
    package var signingSecret: String
    package var slashCommand: String
    package var store: HybridStore
    /// The core's in-process queue (`serve`); nil in a relay, whose cores long-poll the inbox.
    package var queue: DeliveryQueue?
    package var inbox: any DeliveryInbox
    /// Bearer token of the relay API (`HYBRIDBOT_RELAY_TOKEN`); nil → no `/relay/v1` routes.
    package var relayToken: String?
    package var leaseDuration: Duration
    /// Parked long-polls, ended early by a stopping core or by the relay's own stop.
    package var pollSessions = PollSessions()
    package var pluginsLoaded: Bool
    package var registry: PrometheusCollectorRegistry?
    /// `PAGERDUTY_WEBHOOK_SECRETS`, split on commas; empty → the PagerDuty endpoint answers 503.
    package var pagerDutySecrets: [String]

    package init(
        signingSecret: String, slashCommand: String, store: HybridStore, queue: DeliveryQueue?, inbox: (any DeliveryInbox)? = nil,
        pluginsLoaded: Bool = true, registry: PrometheusCollectorRegistry? = nil, pagerDutySecrets: [String] = [],
        relayToken: String? = nil, leaseDuration: Duration = .seconds(30)
    ) {
        self.inbox = inbox ?? SQLiteInbox(store: store)
        self.relayToken = relayToken
        self.leaseDuration = leaseDuration
        self.pagerDutySecrets = pagerDutySecrets
        self.signingSecret = signingSecret
        self.slashCommand = slashCommand
        self.store = store
        self.queue = queue
        self.pluginsLoaded = pluginsLoaded
        self.registry = registry
    }
}

/// The listener's routes. Signature checks come before anything else on Slack paths.
package func buildRouter(_ deps: ListenerDependencies) -> Router<HybridRequestContext> {
    let router = Router(context: HybridRequestContext.self)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: MethodCheckMiddleware(allowed: [
        "/slack/commands": .post, "/slack/interactions": .post, "/pagerduty/webhooks": .post, "/relay/v1/events": .get, "/relay/v1/store": .post, "/relay/v1/ping": .get, "/healthz": .get, "/readyz": .get, "/metrics": .get,
    ]))
    HealthController(store: deps.store, pluginsLoaded: deps.pluginsLoaded, registry: deps.registry).addRoutes(to: router)
    let slack = router.group()
        .add(middleware: SlackVerificationMiddleware(signingSecret: deps.signingSecret))
        .group(context: SlackRequestContext.self)
    let intake = DeliveryIntake(inbox: deps.inbox, queue: deps.queue)
    SlackCommandController(intake: intake, slashCommand: deps.slashCommand).addRoutes(to: slack)
    SlackInteractionController(intake: intake).addRoutes(to: slack)
    let pagerDuty = router.group()
        .add(middleware: PagerDutyVerificationMiddleware(secrets: deps.pagerDutySecrets))
        .group(context: PagerDutyRequestContext.self)
    PagerDutyWebhookController(intake: intake).addRoutes(to: pagerDuty)
    if let token = deps.relayToken {
        let relay = router.group().add(middleware: RelayAuthMiddleware(token: token, storeID: deps.store.storeID))
        RelayController(inbox: deps.inbox, store: deps.store, lease: deps.leaseDuration, sessions: deps.pollSessions).addRoutes(to: relay)
    }
    return router
}

package func buildApplication(
    _ deps: ListenerDependencies, host: String, port: Int, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(deps),
        configuration: .init(address: .hostname(host, port: port), serverName: "hybridbot"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}

/// A core's optional listener (`HYBRIDBOT_LISTEN` set for it explicitly): `/healthz`, `/readyz`, `/metrics` only.
package func buildHealthApplication(
    registry: PrometheusCollectorRegistry?, problems: @escaping @Sendable () async -> [String], host: String, port: Int, logger: Logger
) -> some ApplicationProtocol {
    let router = Router(context: HybridRequestContext.self)
    router.add(middleware: MethodCheckMiddleware(allowed: ["/healthz": .get, "/readyz": .get, "/metrics": .get]))
    HealthController(registry: registry, problems: problems).addRoutes(to: router)
    return Application(
        router: router, configuration: .init(address: .hostname(host, port: port), serverName: "hybridbot-core"), logger: logger)
}
