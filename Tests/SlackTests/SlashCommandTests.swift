import Foundation
import Slack
import Testing

@Suite("SlashCommand")
struct SlashCommandTests {
    static let full: SlashCommand = {
        var c = SlashCommand(
            channelID: "C0123ABCD", userID: "U2CERLKJA", command: "/hybrid", text: "scale api 3",
            responseURL: "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN",
            triggerID: "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
            teamID: "T1DC2JH3J", userName: "roadrunner", channelName: "ops")
        c.teamDomain = "testteamnow"
        c.enterpriseID = "E0ABCDEF"
        c.apiAppID = "A0KRD7HC3"
        return c
    }()

    @Test("JSON round trip keeps every field", arguments: [
        full,
        SlashCommand(channelID: "C1", userID: "U1", command: "/hybrid", text: "", responseURL: "https://x", triggerID: "1.2.3"),
    ])
    func roundTrip(_ command: SlashCommand) throws {
        let data = try JSONEncoder().encode(command)
        let decoded = try JSONDecoder().decode(SlashCommand.self, from: data)
        #expect(decoded == command)
    }

    @Test("encodes Slack's snake_case form field names")
    func encodesSlackFieldNames() throws {
        let data = try JSONEncoder().encode(Self.full)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["user_id"] as? String == "U2CERLKJA")
        #expect(object["channel_id"] as? String == "C0123ABCD")
        #expect(object["response_url"] as? String == Self.full.responseURL)
        #expect(object["trigger_id"] as? String == Self.full.triggerID)
        #expect(object["team_id"] as? String == "T1DC2JH3J")
        #expect(object["team_domain"] as? String == "testteamnow")
        #expect(object["enterprise_id"] as? String == "E0ABCDEF")
        #expect(object["api_app_id"] as? String == "A0KRD7HC3")
        #expect(object["userID"] == nil)
    }

    @Test("decodes Slack's field names; a missing text is empty, optional fields nil")
    func decodesMinimalPayload() throws {
        let json = """
            {"channel_id":"G8PSS9T3V","user_id":"U2CERLKJA","command":"/webhook-collect",
             "response_url":"https://hooks.slack.com/commands/T1/1/x","trigger_id":"398738663015.47445629121.803a"}
            """
        let c = try JSONDecoder().decode(SlashCommand.self, from: Data(json.utf8))
        #expect(c.channelID == "G8PSS9T3V")
        #expect(c.userID == "U2CERLKJA")
        #expect(c.command == "/webhook-collect")
        #expect(c.text == "")
        #expect(c.teamID == nil)
        #expect(c.userName == nil)
        #expect(c.apiAppID == nil)
    }

    @Test("required fields are required", arguments: ["channel_id", "user_id", "command", "response_url", "trigger_id"])
    func requiredField(_ missing: String) throws {
        var fields: [String: String] = [
            "channel_id": "C1", "user_id": "U1", "command": "/hybrid", "text": "x",
            "response_url": "https://hooks.slack.com/x", "trigger_id": "1.2.3",
        ]
        fields[missing] = nil
        let data = try JSONEncoder().encode(fields)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SlashCommand.self, from: data) }
    }

    @Test("isSlackID", arguments: [
        ("U2CERLKJA", true),
        ("C0123ABCD", true),
        ("G8PSS9T3V", true),
        ("W1", true),
        (String(repeating: "A", count: 32), true),
        (String(repeating: "A", count: 33), false),
        ("U", false),
        ("", false),
        ("u2cerlkja", false),
        ("U2CErlkja", false),
        ("U2CERLKJA ", false),
        (" U2CERLKJA", false),
        ("U2CER-LKJA", false),
        ("U2CER_LKJA", false),
        ("U1'; DROP TABLE audit;--", false),
        ("U1\nC2", false),
        ("U1\0", false),
        ("<@U2CERLKJA>", false),
        ("U1%0A", false),
        ("ＵＡＢＣ", false), // fullwidth letters are not ASCII
        ("UÄBC", false),
    ])
    func isSlackID(_ id: String, _ expected: Bool) {
        #expect(SlashCommand.isSlackID(id) == expected)
    }

    @Test("hasPlausibleIDs", arguments: [
        ("U2CERLKJA", "C0123ABCD", "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c", true),
        ("U2CERLKJA", "C0123ABCD", String(repeating: "9", count: 128), true),
        ("U2CERLKJA", "C0123ABCD", String(repeating: "9", count: 129), false),
        ("U2CERLKJA", "C0123ABCD", "", false),
        ("u2cerlkja", "C0123ABCD", "1.2", false),
        ("U2CERLKJA", "c0123abcd", "1.2", false),
        ("", "C0123ABCD", "1.2", false),
        ("U2CERLKJA", "", "1.2", false),
        ("U1 OR 1=1", "C0123ABCD", "1.2", false),
        ("U2CERLKJA", "C1;rm -rf /", "1.2", false),
    ])
    func hasPlausibleIDs(user: String, channel: String, trigger: String, expected: Bool) {
        let c = SlashCommand(
            channelID: channel, userID: user, command: "/hybrid", text: "", responseURL: "https://x", triggerID: trigger)
        #expect(c.hasPlausibleIDs == expected)
    }
}

@Suite("SlackMessage and Block")
struct SlackMessageTests {
    static func json(_ message: SlackMessage) throws -> [String: Any] {
        let data = try JSONEncoder().encode(message)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("response_type is in_channel / ephemeral", arguments: [
        (SlackMessage.inChannel("hi"), "in_channel"),
        (SlackMessage.ephemeral("hi"), "ephemeral"),
        (SlackMessage(text: "hi", responseType: .inChannel), "in_channel"),
    ])
    func responseType(_ message: SlackMessage, _ expected: String) throws {
        let object = try Self.json(message)
        #expect(object["response_type"] as? String == expected)
        #expect(object["responseType"] == nil)
        #expect(object["text"] as? String == "hi")
    }

    @Test("nil fields are omitted, not null")
    func omitsNilFields() throws {
        let data = try JSONEncoder().encode(SlackMessage(text: "only text"))
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("null"))
        let object = try Self.json(SlackMessage(text: "only text"))
        #expect(Set(object.keys) == ["text"])
    }

    @Test("set optional fields use Slack's names")
    func snakeCaseOptionalFields() throws {
        let message = SlackMessage(text: "t", blocks: [.section("*hi*")], responseType: .ephemeral, replaceOriginal: true)
        let object = try Self.json(message)
        #expect(Set(object.keys) == ["text", "blocks", "response_type", "replace_original"])
        #expect(object["replace_original"] as? Bool == true)
        let blocks = try #require(object["blocks"] as? [[String: Any]])
        #expect(blocks.count == 1)
        #expect(blocks.first?["type"] as? String == "section")
        let text = try #require(blocks.first?["text"] as? [String: Any])
        #expect(text["type"] as? String == "mrkdwn")
        #expect(text["text"] as? String == "*hi*")
        #expect(blocks.first?["elements"] == nil)
    }

    @Test("JSON round trip")
    func roundTrip() throws {
        let message = SlackMessage.inChannel("done", blocks: [.section("a"), .context("b")])
        let decoded = try JSONDecoder().decode(SlackMessage.self, from: try JSONEncoder().encode(message))
        #expect(decoded == message)
    }

    @Test("section truncates to 3000 characters", arguments: [0, 1, 2999, 3000, 3001, 10_000])
    func sectionLimit(length: Int) throws {
        let input = String(repeating: "x", count: length)
        let block = Block.section(input)
        let text = try #require(block.text?.text)
        #expect(block.type == "section")
        #expect(text.count == min(length, 3000))
        if length <= 3000 {
            #expect(text == input)
        } else {
            #expect(text.hasSuffix("…"))
            #expect(text.dropLast().allSatisfy { $0 == "x" })
        }
    }

    @Test("section truncation counts characters, not bytes, and never splits one")
    func sectionTruncatesByCharacter() throws {
        let input = String(repeating: "👩‍👩‍👧", count: 3001)
        let text = try #require(Block.section(input).text?.text)
        #expect(text.count == 3000)
        #expect(text.dropLast().allSatisfy { $0 == "👩‍👩‍👧" })
        #expect(text.last == "…")
    }

    @Test("context truncates to 2000 characters")
    func contextLimit() throws {
        let block = Block.context(String(repeating: "y", count: 2500))
        #expect(block.type == "context")
        #expect(block.text == nil)
        let elements = try #require(block.elements)
        #expect(elements.count == 1)
        guard case .mrkdwn(let text) = try #require(elements.first) else {
            Issue.record("context element is not mrkdwn: \(elements)")
            return
        }
        #expect(text.count == 2000)
        #expect(text.hasSuffix("…"))
        #expect(Block.context("short") == Block.context("short"))
        #expect(Block.context(String(repeating: "z", count: 2000)).elements == [.mrkdwn(String(repeating: "z", count: 2000))])
    }

    @Test("context encodes as Block Kit mrkdwn elements")
    func contextWireForm() throws {
        let data = try JSONEncoder().encode(Block.context("*note*"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["type", "elements"])
        let elements = try #require(object["elements"] as? [[String: Any]])
        #expect(elements.count == 1)
        #expect(elements.first?["type"] as? String == "mrkdwn")
        #expect(elements.first?["text"] as? String == "*note*")
    }
}
