import BotCore
import Logging
import Slack

/// Where the bot's messages go: the Web API when a bot token is set (messages can then be updated and threaded),
/// otherwise the `response_url` Slack gave with the command or the click. Every text is redacted first.
package struct SlackPoster: Sendable {
    let web: SlackWebAPI?
    let responseURLs: ResponseURLClient
    let redactor: SecretRedactor
    let logger: Logger

    package init(web: SlackWebAPI?, responseURLs: ResponseURLClient, redactor: SecretRedactor, logger: Logger) {
        self.web = web
        self.responseURLs = responseURLs
        self.redactor = redactor
        self.logger = logger
    }

    /// Posts a new public message; returns its (channel, ts) when posted through the Web API.
    func postPublic(_ message: SlackMessage, channel: String, responseURL: String?) async -> (String, String)? {
        let safe = message.mapText(outgoing)
        if let web {
            do {
                return (channel, try await web.postMessage(channel: channel, message: safe))
            } catch {
                log("chat.postMessage", error)
            }
        }
        if let responseURL { await post(safe, to: responseURL, replacing: false) }
        return nil
    }

    /// Replaces a message the bot posted (chat.update), or the clicked message through the click's response_url.
    func update(_ message: SlackMessage, channel: String?, ts: String?, responseURL: String?) async {
        let safe = message.mapText(outgoing)
        if let web, let channel, let ts {
            do {
                try await web.updateMessage(channel: channel, ts: ts, message: safe)
                return
            } catch {
                log("chat.update", error)
            }
        }
        if let responseURL { await post(safe, to: responseURL, replacing: true) }
    }

    /// A reply under the message (thread) when possible, else a new public message.
    func reply(_ message: SlackMessage, channel: String?, threadTS: String?, responseURL: String?) async {
        let safe = message.mapText(outgoing)
        if let web, let channel {
            do {
                _ = try await web.postMessage(channel: channel, message: safe, threadTS: threadTS)
                return
            } catch {
                log("chat.postMessage", error)
            }
        }
        if let responseURL { await post(safe, to: responseURL, replacing: false) }
    }

    /// The answer to a slash command, through its `response_url`, as given (ephemeral or in channel).
    func respond(_ message: SlackMessage, to command: SlashCommand) async {
        await post(message.mapText(outgoing), to: command.responseURL)
    }

    /// Only `user` sees it.
    func tellOnly(_ text: String, user: String, channel: String?, responseURL: String?) async {
        let safe = outgoing(text)
        if let responseURL {
            var message = SlackMessage.ephemeral(safe)
            message.replaceOriginal = false
            await post(message, to: responseURL)
            return
        }
        if let web, let channel {
            do { try await web.postEphemeral(channel: channel, user: user, text: safe) } catch { log("chat.postEphemeral", error) }
        }
    }

    /// A public message through a response_url: a new one, or replacing the message the URL belongs to.
    private func post(_ message: SlackMessage, to responseURL: String, replacing: Bool) async {
        var visible = message
        visible.responseType = .inChannel
        visible.replaceOriginal = replacing
        await post(visible, to: responseURL)
    }

    private func post(_ message: SlackMessage, to responseURL: String) async {
        do {
            try await responseURLs.post(message, to: responseURL)
        } catch {
            log("response_url", error)
        }
    }

    private func log(_ what: String, _ error: any Error) {
        logger.error("could not post to Slack", metadata: ["slack.method": "\(what)", "error": "\(redactor.redact("\(error)"))"])
    }

    /// Every text the bot sends: secrets redacted, and Slack's broadcast mentions (`<!channel>`, `<!here>`,
    /// `<!everyone>`, `<!subteam^…>`) neutralized — the bot never means one, but command output, PagerDuty titles and
    /// service error texts could carry one.
    func outgoing(_ text: String) -> String {
        redactor.redact(text).replacingOccurrences(of: "<!", with: "&lt;!")
    }
}
