import Engine
import Foundation
import Hummingbird
import Logging
import Metrics
import Slack
import Store

/// `POST /slack/interactions`: button clicks. Stored durably (with an audit record) before the 200 ack;
/// a redelivery of the same click (`action_ts` + user) is acknowledged and not acted on again.
package struct SlackInteractionController: Sendable {
    let intake: DeliveryIntake
    private let accepted = Counter(label: "hybridbot_slack_interactions_total", dimensions: [("outcome", "accepted")])
    private let duplicates = Counter(label: "hybridbot_slack_interactions_total", dimensions: [("outcome", "duplicate")])

    package init(intake: DeliveryIntake) {
        self.intake = intake
    }

    package func addRoutes(to group: RouterGroup<SlackRequestContext>) {
        group.post("/slack/interactions", use: interaction)
    }

    @Sendable func interaction(_ request: Request, context: SlackRequestContext) async throws -> Response {
        guard SlackCommandController.isForm(request) else {
            return SlackCommandController.plain(.unsupportedMediaType, "expected application/x-www-form-urlencoded")
        }
        guard let field = FormFields.parse(context.verified.body)?["payload"] else {
            return SlackCommandController.plain(.badRequest, "missing the payload field")
        }
        guard let payload = try? JSONDecoder().decode(BlockActionsPayload.self, from: Data(field.utf8)) else {
            // Other interaction types (view_submission, shortcuts) are not used by this bot: ack and ignore.
            if (try? JSONSerialization.jsonObject(with: Data(field.utf8))) is [String: Any] { return Response(status: .ok) }
            return SlackCommandController.plain(.badRequest, "payload is not JSON")
        }
        guard payload.isPlausible, let action = payload.actions.first else {
            return SlackCommandController.plain(.badRequest, "not a block_actions payload this bot can use")
        }
        let stored = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        let audit = AuditEntry(
            kind: "interaction", user: payload.user.id, channel: payload.channelID, command: action.actionID, outcome: "received",
            detail: ["action_ts": .string(action.actionTS), "value": .string(String((action.value ?? "").prefix(64)))])
        let result: DeliveryStoreResult
        do {
            result = try await intake.store(
                kind: "slack.interaction", key: "slack.action:\(action.actionTS):\(payload.user.id)", payload: stored, audit: audit)
        } catch {
            context.logger.error("could not store interaction", metadata: ["error": "\(error)"])
            return SlackCommandController.plain(.serviceUnavailable, "the bot could not record this click")
        }
        switch result {
        case .stored:
            accepted.increment()
        case .duplicate:
            duplicates.increment()
        }
        return Response(status: .ok)
    }
}
