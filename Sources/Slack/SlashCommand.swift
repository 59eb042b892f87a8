/// A slash command as Slack posts it (application/x-www-form-urlencoded). Only fields we use are required.
package struct SlashCommand: Codable, Sendable, Equatable {
    package var teamID: String?
    package var teamDomain: String?
    package var enterpriseID: String?
    package var channelID: String
    package var channelName: String?
    package var userID: String
    package var userName: String?
    package var command: String
    package var text: String
    package var responseURL: String
    package var triggerID: String
    package var apiAppID: String?

    enum CodingKeys: String, CodingKey {
        case teamID = "team_id", teamDomain = "team_domain", enterpriseID = "enterprise_id"
        case channelID = "channel_id", channelName = "channel_name", userID = "user_id", userName = "user_name"
        case command, text, responseURL = "response_url", triggerID = "trigger_id", apiAppID = "api_app_id"
    }

    package init(
        channelID: String, userID: String, command: String, text: String, responseURL: String, triggerID: String,
        teamID: String? = nil, userName: String? = nil, channelName: String? = nil
    ) {
        self.channelID = channelID
        self.userID = userID
        self.command = command
        self.text = text
        self.responseURL = responseURL
        self.triggerID = triggerID
        self.teamID = teamID
        self.userName = userName
        self.channelName = channelName
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        teamID = try c.decodeIfPresent(String.self, forKey: .teamID)
        teamDomain = try c.decodeIfPresent(String.self, forKey: .teamDomain)
        enterpriseID = try c.decodeIfPresent(String.self, forKey: .enterpriseID)
        channelID = try c.decode(String.self, forKey: .channelID)
        channelName = try c.decodeIfPresent(String.self, forKey: .channelName)
        userID = try c.decode(String.self, forKey: .userID)
        userName = try c.decodeIfPresent(String.self, forKey: .userName)
        command = try c.decode(String.self, forKey: .command)
        text = try c.decodeIfPresent(String.self, forKey: .text) ?? ""
        responseURL = try c.decode(String.self, forKey: .responseURL)
        triggerID = try c.decode(String.self, forKey: .triggerID)
        apiAppID = try c.decodeIfPresent(String.self, forKey: .apiAppID)
    }

    /// Slack ids are short uppercase alphanumerics; anything else did not come from Slack.
    package var hasPlausibleIDs: Bool {
        Self.isSlackID(userID) && Self.isSlackID(channelID) && !triggerID.isEmpty && triggerID.utf8.count <= 128
    }

    package static func isSlackID(_ s: String) -> Bool {
        (2...32).contains(s.utf8.count) && s.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) }
    }
}
