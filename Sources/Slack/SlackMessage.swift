/// A message body for `response_url`, `chat.postMessage` and the 200 ack. Always carries a `text` fallback.
package struct SlackMessage: Codable, Sendable, Equatable {
    package enum ResponseType: String, Codable, Sendable { case ephemeral, inChannel = "in_channel" }

    package var text: String
    package var blocks: [Block]?
    package var responseType: ResponseType?
    package var replaceOriginal: Bool?
    package var threadTS: String?

    enum CodingKeys: String, CodingKey {
        case text, blocks, responseType = "response_type", replaceOriginal = "replace_original", threadTS = "thread_ts"
    }

    package init(text: String, blocks: [Block]? = nil, responseType: ResponseType? = nil, replaceOriginal: Bool? = nil) {
        self.text = text
        self.blocks = blocks
        self.responseType = responseType
        self.replaceOriginal = replaceOriginal
    }

    package static func ephemeral(_ text: String) -> SlackMessage {
        SlackMessage(text: text, responseType: .ephemeral)
    }

    package static func inChannel(_ text: String, blocks: [Block]? = nil) -> SlackMessage {
        SlackMessage(text: text, blocks: blocks, responseType: .inChannel)
    }
}

/// The few Block Kit blocks we send. Section text is limited to 3000 characters by Slack.
package struct Block: Codable, Sendable, Equatable {
    package struct Text: Codable, Sendable, Equatable {
        package var type: String
        package var text: String
    }

    package var type: String
    package var text: Text?
    package var elements: [Text]?

    package static let sectionLimit = 3000

    package static func section(_ markdown: String) -> Block {
        Block(type: "section", text: Text(type: "mrkdwn", text: truncated(markdown, to: sectionLimit)), elements: nil)
    }

    package static func context(_ markdown: String) -> Block {
        Block(type: "context", text: nil, elements: [Text(type: "mrkdwn", text: truncated(markdown, to: 2000))])
    }

    static func truncated(_ s: String, to limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }
}
