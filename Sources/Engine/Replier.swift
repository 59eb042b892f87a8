import BotCore
import Logging
import Slack

/// Sends the bot's answers back to Slack. Every text passes the redactor first.
package protocol Replier: Sendable {
    func reply(_ message: SlackMessage, to command: SlashCommand) async
}

/// Replies through the slash command's `response_url`.
package struct ResponseURLReplier: Replier {
    private let client: ResponseURLClient
    private let redactor: SecretRedactor
    private let logger: Logger

    package init(client: ResponseURLClient, redactor: SecretRedactor, logger: Logger) {
        self.client = client
        self.redactor = redactor
        self.logger = logger
    }

    package func reply(_ message: SlackMessage, to command: SlashCommand) async {
        let safe = message.mapText(redactor.redact)
        do {
            try await client.post(safe, to: command.responseURL)
        } catch {
            logger.error("could not post to response_url", metadata: [
                "slack.trigger_id": "\(command.triggerID)", "error": "\(redactor.redact(String(describing: error)))",
            ])
        }
    }
}
