import Slack
import Testing

@Suite("FormFields")
struct FormFieldsTests {
    static let slackBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"

    @Test func slacksDocumentedBodyParses() throws {
        let fields = try #require(FormFields.parse(Array(Self.slackBody.utf8)))
        #expect(fields["command"] == "/webhook-collect")
        #expect(fields["text"] == "")
        #expect(fields["response_url"] == "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN")
        let command = try #require(SlashCommand(fields: fields))
        #expect(command.userID == "U2CERLKJA" && command.channelID == "G8PSS9T3V" && command.teamDomain == "testteamnow")
    }

    @Test(arguments: [
        ("text=scale+api-gateway+10", "scale api-gateway 10"),
        ("text=a%2Bb%20c", "a+b c"),
        ("text=%E2%80%9Cquoted%E2%80%9D", "\u{201C}quoted\u{201D}"),
        ("text", ""),
        ("text=a=b", "a=b"),
    ])
    func decodes(_ body: String, _ text: String) {
        #expect(FormFields.parse(Array(body.utf8))?["text"] == text)
    }

    @Test(arguments: ["text=%", "text=%4", "text=%zz", "text=%FF", "text=a&text=b", "=value", "a=%C3%28"])
    func refusesMalformedBodies(_ body: String) {
        #expect(FormFields.parse(Array(body.utf8)) == nil)
    }

    @Test func missingRequiredFieldsAreNotACommand() {
        #expect(SlashCommand(fields: ["user_id": "U1", "channel_id": "C1", "command": "/hybrid"]) == nil)
    }
}
