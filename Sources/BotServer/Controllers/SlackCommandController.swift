import Engine
import Foundation
import Hummingbird
import Logging
import Metrics
import Slack
import Store

/// `POST /slack/commands`: store the verified command durably (with its audit record), then ack within Slack's 3 s.
package struct SlackCommandController: Sendable {
    let intake: DeliveryIntake
    let slashCommand: String
    private let accepted = Counter(label: "hybridbot_slack_commands_total", dimensions: [("outcome", "accepted")])
    private let duplicates = Counter(label: "hybridbot_slack_commands_total", dimensions: [("outcome", "duplicate")])

    package init(intake: DeliveryIntake, slashCommand: String) {
        self.intake = intake
        self.slashCommand = slashCommand
    }

    package func addRoutes(to group: RouterGroup<SlackRequestContext>) {
        group.post("/slack/commands", use: command)
    }

    @Sendable func command(_ request: Request, context: SlackRequestContext) async throws -> Response {
        guard Self.isForm(request) else { return Self.plain(.unsupportedMediaType, "expected application/x-www-form-urlencoded") }
        guard let fields = FormFields.parse(context.verified.body) else { return Self.plain(.badRequest, "malformed form body") }
        if fields["ssl_check"] == "1" { return Response(status: .ok) }
        guard let command = SlashCommand(fields: fields), command.hasPlausibleIDs else {
            return Self.plain(.badRequest, "not a Slack slash command")
        }
        guard command.command == slashCommand else {
            return try Self.ack(.ephemeral("This bot answers `\(slashCommand)`, not `\(command.command.prefix(40))`."))
        }
        let payload = String(decoding: try JSONEncoder().encode(command), as: UTF8.self)
        let audit = AuditEntry(
            kind: "command", user: command.userID, channel: command.channelID, command: "\(slashCommand) \(command.text)",
            outcome: "received", detail: ["trigger_id": .string(command.triggerID)])
        let result: DeliveryStoreResult
        do {
            result = try await intake.store(kind: "slack.command", key: "slack.trigger:" + command.triggerID, payload: payload, audit: audit)
        } catch {
            // Not stored means not acked: Slack shows the user an error instead of a promise we cannot keep.
            context.logger.error("could not store slash command", metadata: ["error": "\(error)"])
            return Self.plain(.serviceUnavailable, "the bot could not record this command")
        }
        switch result {
        case .stored:
            accepted.increment()
            let shown = command.text.count > 80 ? String(command.text.prefix(80)) + "…" : command.text
            return try Self.ack(.ephemeral("⏳ Working on `\(slashCommand) \(shown.replacing("`", with: "'"))`…"))
        case .duplicate:
            duplicates.increment()
            return try Self.ack(.ephemeral("Already received this command; it is not run twice."))
        }
    }

    static func isForm(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
    }

    static func ack(_ message: SlackMessage) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try encoder.encode(message)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}
