import ArgumentParser
import BotConfig
import Foundation
import HTTPDriver
import Slack

struct SayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "say",
        abstract: "Local trial: send a slash command signed exactly as Slack would, and print what the bot answers.",
        discussion: """
            Signs with SLACK_SIGNING_SECRET (or, for the local trial of `make run`, ./data/local-signing-secret) and posts \
            to HYBRIDBOT_LISTEN. Prints the ack and every follow-up for up to --wait seconds, returning once the result arrived.
            """)

    @OptionGroup var options: ConfigOption
    @Option(name: .long, help: "The Slack user id to send as, e.g. U01ALICE (not needed with --pagerduty).") var `as`: String = ""
    @Option(name: .long, help: "The channel id.") var channel: String = "C0LOCAL"
    @Option(name: .long, help: "Seconds to wait for follow-up messages.") var wait: Double = 10
    @Option(name: .long, help: "Press a button instead of typing a command: ACTION_ID:VALUE, e.g. approval.approve:1f2e3d.")
    var click: String?
    @Option(name: .long, help: "Send FILE as a PagerDuty v3 webhook, signed with the first PAGERDUTY_WEBHOOK_SECRETS secret, with a fresh X-Webhook-Id.")
    var pagerduty: String?
    @Argument(help: "The command as typed in Slack, e.g. \"/hybrid scale api-gateway 10\".") var text: String?

    static let localSecretFile = "./data/local-signing-secret"

    func validate() throws {
        if pagerduty != nil {
            guard text == nil, click == nil else { throw ValidationError("--pagerduty FILE is sent on its own, without a command text or --click") }
            return
        }
        guard SlashCommand.isSlackID(`as`) else { throw ValidationError("--as must be a Slack user id such as U01ALICE") }
        guard SlashCommand.isSlackID(channel) else { throw ValidationError("--channel must be a Slack channel id such as C0LOCAL") }
        guard wait >= 0, wait <= 600 else { throw ValidationError("--wait must be between 0 and 600 seconds") }
        guard (text == nil) != (click == nil) else { throw ValidationError("give either a command text or --click ACTION_ID:VALUE") }
        if let click, !click.contains(":") { throw ValidationError("--click takes ACTION_ID:VALUE, e.g. approval.approve:1f2e3d") }
    }

    func run() async throws {
        let config: BotConfiguration
        let listen: (host: String, port: Int)
        do {
            config = try BotConfiguration.load(environment: ProcessInfo.processInfo.environment, configFile: options.config)
            listen = try config.listen
        } catch {
            throw fail(error.description)
        }
        guard let secret = (try? config.signingSecret) ?? Self.localSecret() else {
            throw fail("SLACK_SIGNING_SECRET is not set (and there is no \(Self.localSecretFile) from `make run`)")
        }
        if let pagerduty {
            try await Self.sendPagerDuty(file: pagerduty, config: config, listen: listen)
            return
        }
        let sink = try await ResponseSink.start()
        defer { sink.stop() }
        let http = HTTPClient(threads: 2)
        defer { Task { await http.shutdown() } }
        let host = listen.host.contains(":") ? "[\(listen.host)]" : (listen.host == "0.0.0.0" ? "127.0.0.1" : listen.host)
        let body: [UInt8]
        let url: String
        if let click {
            url = "http://\(host):\(listen.port)/slack/interactions"
            body = Array(FormFields.encode([("payload", try Self.clickPayload(click, user: `as`, channel: channel, responseURL: sink.url))]).utf8)
            print("→ click \(click)   (as \(`as`) in \(channel), to \(url))")
        } else {
            url = "http://\(host):\(listen.port)/slack/commands"
            let (command, commandText) = Self.split(text ?? "", default: config.slashCommand)
            body = Array(FormFields.encode(Self.commandForm(command: command, text: commandText, user: `as`, channel: channel, responseURL: sink.url)).utf8)
            print("→ \(command) \(commandText)   (as \(`as`) in \(channel), to \(url))")
        }
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let signature = SlackSignature(secret: secret).signature(timestamp: timestamp, body: body)
        let request = HTTPRequest(
            method: "POST", url: url,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Slack-Request-Timestamp", timestamp),
                      ("X-Slack-Signature", signature)],
            body: body, timeout: .seconds(5))
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch {
            throw fail("the bot did not answer at \(url): \(error). Is `hybridbot serve` (or `make run`) running?")
        }
        print("ack \(response.status): " + Self.render(response.body))
        guard response.status == 200 else { throw ExitCode(1) }
        for message in await sink.messages(upTo: .milliseconds(Int(wait * 1000))) {
            print("reply: " + Self.render(message))
        }
    }

    static func commandForm(command: String, text: String, user: String, channel: String, responseURL: String) -> [(String, String)] {
        [
            ("token", "local-trial"), ("team_id", "T0LOCAL"), ("team_domain", "local"), ("channel_id", channel),
            ("channel_name", "local"), ("user_id", user), ("user_name", user.lowercased()), ("command", command),
            ("text", text), ("api_app_id", "A0LOCAL"), ("response_url", responseURL),
            ("trigger_id", "\(Int(Date().timeIntervalSince1970)).\(UInt32.random(in: 0...UInt32.max)).local"),
        ]
    }

    static func localSecret() -> String? {
        guard let data = FileManager.default.contents(atPath: localSecretFile) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// "/hybrid scale x 1" → ("/hybrid", "scale x 1"); text without a leading slash command uses the configured one.
    static func split(_ text: String, default command: String) -> (String, String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("/") else { return (command, trimmed) }
        let parts = trimmed.split(separator: " ", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : "")
    }

    /// A block_actions payload like the one Slack posts when a button is pressed.
    static func clickPayload(_ click: String, user: String, channel: String, responseURL: String) throws -> String {
        let parts = click.split(separator: ":", maxSplits: 1).map(String.init)
        let now = Date().timeIntervalSince1970
        let payload = BlockActionsPayload(
            user: .init(id: user, username: user.lowercased(), teamID: "T0LOCAL"), channel: .init(id: channel),
            container: .init(type: "message", messageTS: "0", channelID: channel), message: .init(ts: "0", threadTS: nil),
            responseURL: responseURL, triggerID: "\(Int(now)).\(UInt32.random(in: 0...UInt32.max)).local",
            actions: [.init(actionID: parts[0], blockID: nil, value: parts.count > 1 ? parts[1] : nil, type: "button",
                            actionTS: String(format: "%.6f", now))])
        return String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
    }

    /// A Slack message as a person would read it (blocks' text, then its buttons), else the raw body.
    static func render(_ body: [UInt8]) -> String {
        if let message = try? JSONDecoder().decode(SlackMessage.self, from: Data(body)) {
            let kind = message.responseType?.rawValue ?? "ephemeral"
            var lines: [String] = []
            for block in message.blocks ?? [] {
                if let text = block.text?.text { lines.append(text) }
                for case .mrkdwn(let text) in block.elements ?? [] { lines.append(text) }
            }
            if lines.isEmpty { lines = [message.text] }
            if !message.buttons.isEmpty {
                lines.append("buttons: " + message.buttons.joined(separator: "  ") + "   (press one with --click ACTION_ID:VALUE)")
            }
            return "(\(kind)\(message.replaceOriginal == true ? ", replaces the original" : "")) " + lines.joined(separator: "\n")
        }
        let raw = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return raw.isEmpty ? "(empty)" : raw
    }
}
