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

    /// Every string a person will read, for redaction.
    package func mapText(_ transform: (String) -> String) -> SlackMessage {
        var copy = self
        copy.text = transform(text)
        copy.blocks = blocks?.map { $0.mapText(transform) }
        return copy
    }

    /// The buttons of the message as `action_id:value`, e.g. `approval.approve:a1b2c3`.
    package var buttons: [String] {
        (blocks ?? []).flatMap { $0.elements ?? [] }.compactMap { element in
            if case .button(let b) = element { return "\(b.actionID):\(b.value ?? "")" }
            return nil
        }
    }
}
