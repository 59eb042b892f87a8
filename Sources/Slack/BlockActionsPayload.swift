/// The `payload` of a `block_actions` interaction (a button click), as Slack posts it.
package struct BlockActionsPayload: Codable, Sendable, Equatable {
    package struct User: Codable, Sendable, Equatable {
        package var id: String
        package var username: String?
        package var teamID: String?
        enum CodingKeys: String, CodingKey { case id, username, teamID = "team_id" }
        package init(id: String, username: String? = nil, teamID: String? = nil) { self.id = id; self.username = username; self.teamID = teamID }
    }

    package struct Channel: Codable, Sendable, Equatable {
        package var id: String
        package init(id: String) { self.id = id }
    }

    package struct Container: Codable, Sendable, Equatable {
        package var type: String?
        package var messageTS: String?
        package var channelID: String?
        enum CodingKeys: String, CodingKey { case type, messageTS = "message_ts", channelID = "channel_id" }
        package init(type: String?, messageTS: String?, channelID: String?) { self.type = type; self.messageTS = messageTS; self.channelID = channelID }
    }

    package struct Message: Codable, Sendable, Equatable {
        package var ts: String?
        package var threadTS: String?
        enum CodingKeys: String, CodingKey { case ts, threadTS = "thread_ts" }
        package init(ts: String?, threadTS: String?) { self.ts = ts; self.threadTS = threadTS }
    }

    package struct Action: Codable, Sendable, Equatable {
        package var actionID: String
        package var blockID: String?
        package var value: String?
        package var type: String?
        package var actionTS: String
        enum CodingKeys: String, CodingKey {
            case actionID = "action_id", blockID = "block_id", value, type, actionTS = "action_ts"
        }
        package init(actionID: String, blockID: String?, value: String?, type: String?, actionTS: String) {
            self.actionID = actionID
            self.blockID = blockID
            self.value = value
            self.type = type
            self.actionTS = actionTS
        }
    }

    package var type: String
    package var user: User
    package var channel: Channel?
    package var container: Container?
    package var message: Message?
    package var responseURL: String?
    package var triggerID: String?
    package var actions: [Action]

    enum CodingKeys: String, CodingKey {
        case type, user, channel, container, message, responseURL = "response_url", triggerID = "trigger_id", actions
    }

    package init(type: String = "block_actions", user: User, channel: Channel?, container: Container?, message: Message?,
                 responseURL: String?, triggerID: String?, actions: [Action]) {
        self.type = type
        self.user = user
        self.channel = channel
        self.container = container
        self.message = message
        self.responseURL = responseURL
        self.triggerID = triggerID
        self.actions = actions
    }

    /// The channel the clicked message lives in.
    package var channelID: String? { channel?.id ?? container?.channelID }
    package var messageTS: String? { container?.messageTS ?? message?.ts }

    /// Slack ids and sizes as Slack sends them; anything else is refused before it is stored.
    package var isPlausible: Bool {
        guard type == "block_actions", SlashCommand.isSlackID(user.id), let action = actions.first, actions.count <= 5,
              action.actionID.utf8.count <= 255, (action.value?.utf8.count ?? 0) <= 2000, !action.actionTS.isEmpty,
              action.actionTS.utf8.count <= 32
        else { return false }
        if let channelID { return SlashCommand.isSlackID(channelID) }
        return true
    }
}
