import Engine
import Foundation
import Hummingbird
import Logging
import Metrics
import PagerDuty
import Store

/// `POST /pagerduty/webhooks` (v3): the signature was checked by `PagerDutyVerificationMiddleware`. Stores the delivery
/// durably with its `pagerduty` audit record, then answers 202 (well inside PagerDuty's 5 s). A redelivery of the
/// same `X-Webhook-Id` is answered 200 and not processed again; `pagey.ping` is answered without storing.
package struct PagerDutyWebhookController: Sendable {
    /// The delivery kind the core dispatches on.
    package static let deliveryKind = "pagerduty.webhook"

    let intake: DeliveryIntake
    private let accepted = Counter(label: "hybridbot_pagerduty_webhooks_total", dimensions: [("outcome", "accepted")])
    private let duplicates = Counter(label: "hybridbot_pagerduty_webhooks_total", dimensions: [("outcome", "duplicate")])

    package init(intake: DeliveryIntake) {
        self.intake = intake
    }

    package func addRoutes(to group: RouterGroup<PagerDutyRequestContext>) {
        group.post("/pagerduty/webhooks", use: webhook)
    }

    @Sendable func webhook(_ request: Request, context: PagerDutyRequestContext) async throws -> Response {
        let event: WebhookEvent
        do {
            event = try PagerDutyWebhook.parse(context.verified.body)
        } catch {
            let problem = error.description
            context.logger.notice("PagerDuty webhook not understood", metadata: ["pagerduty.problem": "\(problem)"])
            return SlackCommandController.plain(.badRequest, problem)
        }
        if event.type == .ping { return SlackCommandController.plain(.ok, "pong") }
        let deliveryID = context.verified.webhookID ?? event.id
        var detail: [String: JSONValue] = ["event_id": .string(event.id), "webhook_id": .string(deliveryID), "occurred_at": .string(event.occurredAt)]
        if let incidentID = event.incidentID { detail["incident_id"] = .string(incidentID) }
        if let agent = event.agent { detail["agent"] = .string(agent) }
        let audit = AuditEntry(kind: "pagerduty", command: event.type.wireName, outcome: "received", detail: detail)
        let result: DeliveryStoreResult
        do {
            result = try await intake.store(
                kind: Self.deliveryKind, key: "pagerduty:" + deliveryID, payload: String(decoding: context.verified.body, as: UTF8.self),
                audit: audit)
        } catch {
            // Not stored means not acked: PagerDuty retries a 5xx.
            context.logger.error("could not store PagerDuty webhook", metadata: ["error": "\(error)"])
            return SlackCommandController.plain(.serviceUnavailable, "the bot could not record this webhook")
        }
        switch result {
        case .stored:
            accepted.increment()
            return SlackCommandController.plain(.accepted, "accepted")
        case .duplicate:
            duplicates.increment()
            return SlackCommandController.plain(.ok, "already received")
        }
    }
}
