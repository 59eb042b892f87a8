import BotCore
import Testing

@Suite("SecretRedactor")
struct SecretRedactorTests {
    static let redactor = SecretRedactor(secrets: ["s3cr3t-signing-value", "pg-pass-42", "abc"])

    @Test(arguments: [
        ("signing secret is s3cr3t-signing-value.", "signing secret is [REDACTED]."),
        ("connect with pg-pass-42 now", "connect with [REDACTED] now"),
        ("token xoxb-1234567890-abcdefghij here", "token [REDACTED] here"),
        ("app token xapp-1-A0123-456789-abcdef", "app token [REDACTED]"),
        ("user token xoxp-0000-1111-2222", "user token [REDACTED]"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "Authorization: Bearer [REDACTED]"),
        ("authorization: basic dXNlcjpwYXNzd29yZA==", "authorization: basic [REDACTED]"),
        ("postgresql://bot:hunter2@db/x", "postgresql://bot:[REDACTED]@db/x"),
        ("redis://:hunter22@cache:6379/0", "redis://:[REDACTED]@cache:6379/0"),
        ("password=hunter2 user=bot", "password=[REDACTED] user=bot"),
        ("{\"password\": \"hunter2\"}", "{\"password\": \"[REDACTED]\"}"),
        ("api_key=abcd1234&x=1", "api_key=[REDACTED]&x=1"),
        ("nothing secret here, abc is too short to matter", "nothing secret here, abc is too short to matter"),
        ("https://example.com/path?q=1", "https://example.com/path?q=1"),
    ])
    func redacts(_ text: String, _ expected: String) {
        #expect(Self.redactor.redact(text) == expected)
    }

    @Test(arguments: ["hunter2", "s3cr3t-signing-value", "xoxb-1234567890-abcdefghij"])
    func secretNeverSurvives(_ secret: String) {
        let text = "a postgresql://bot:hunter2@db/x b password=hunter2 c s3cr3t-signing-value d xoxb-1234567890-abcdefghij"
        #expect(!Self.redactor.redact(text).contains(secret))
    }

    @Test func noneRedactsShapesOnly() {
        #expect(SecretRedactor.none.redact("pg-pass-42 xoxb-1234567890-abc") == "pg-pass-42 [REDACTED]")
    }
}
