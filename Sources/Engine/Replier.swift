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
        var safe = message
        safe.text = redactor.redact(message.text)
        safe.blocks = message.blocks?.map { block in
            var b = block
            b.text?.text = redactor.redact(block.text?.text ?? "")
            b.elements = block.elements?.map { var e = $0; e.text = redactor.redact(e.text); return e }
            return b
        }
        do {
            try await client.post(safe, to: command.responseURL)
        } catch {
            logger.error("could not post to response_url", metadata: [
                "slack.trigger_id": "\(command.triggerID)", "error": "\(redactor.redact(String(describing: error)))",
            ])
        }
    }
}
