/// The few Block Kit blocks we send: section, context, actions (buttons).
package struct Block: Codable, Sendable, Equatable {
    package struct Text: Codable, Sendable, Equatable {
        package var type: String
        package var text: String
    }

    package var type: String
    package var blockID: String?
    package var text: Text?
    package var elements: [BlockElement]?

    enum CodingKeys: String, CodingKey { case type, blockID = "block_id", text, elements }

    package static let sectionLimit = 3000

    package static func section(_ markdown: String) -> Block {
        Block(type: "section", text: Text(type: "mrkdwn", text: truncated(markdown, to: sectionLimit)))
    }

    package static func context(_ markdown: String) -> Block {
        Block(type: "context", elements: [.mrkdwn(truncated(markdown, to: 2000))])
    }

    package static func actions(_ buttons: [Button], id: String? = nil) -> Block {
        Block(type: "actions", blockID: id, elements: buttons.map(BlockElement.button))
    }

    func mapText(_ transform: (String) -> String) -> Block {
        var copy = self
        copy.text?.text = transform(text?.text ?? "")
        copy.elements = elements?.map { element in
            switch element {
            case .mrkdwn(let s): .mrkdwn(transform(s))
            case .button: element
            }
        }
        return copy
    }

    static func truncated(_ s: String, to limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }
}

/// A button, within Slack's limits (text ≤ 75, action_id ≤ 255, value ≤ 2000; confirm dialog texts ≤ 100/300/30/30).
package struct Button: Codable, Sendable, Equatable {
    package struct Confirm: Codable, Sendable, Equatable {
        package var title: Block.Text
        package var text: Block.Text
        package var confirm: Block.Text
        package var deny: Block.Text

        package init(title: String, text: String, confirm: String, deny: String) {
            self.title = .init(type: "plain_text", text: Block.truncated(title, to: 100))
            self.text = .init(type: "plain_text", text: Block.truncated(text, to: 300))
            self.confirm = .init(type: "plain_text", text: Block.truncated(confirm, to: 30))
            self.deny = .init(type: "plain_text", text: Block.truncated(deny, to: 30))
        }
    }

    package var type = "button"
    package var text: Block.Text
    package var actionID: String
    package var value: String?
    package var style: String?
    package var confirm: Confirm?

    enum CodingKeys: String, CodingKey { case type, text, actionID = "action_id", value, style, confirm }

    package init(text: String, actionID: String, value: String?, style: String? = nil, confirm: Confirm? = nil) {
        self.text = .init(type: "plain_text", text: Block.truncated(text, to: 75))
        self.actionID = String(actionID.prefix(255))
        self.value = value.map { String($0.prefix(2000)) }
        self.style = style
        self.confirm = confirm
    }
}

package enum BlockElement: Codable, Sendable, Equatable {
    case mrkdwn(String)
    case button(Button)

    enum CodingKeys: String, CodingKey { case type, text }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .type) {
        case "button": self = .button(try Button(from: decoder))
        default: self = .mrkdwn(try c.decode(String.self, forKey: .text))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        switch self {
        case .mrkdwn(let text):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode("mrkdwn", forKey: .type)
            try c.encode(text, forKey: .text)
        case .button(let button):
            try button.encode(to: encoder)
        }
    }
}
