import BotCore
import Testing

/// BotCore defects found while writing these tests (patches in the Plugins/BotCore report).
/// Each test asserts the correct behaviour inside `withKnownIssue`: it passes while the defect exists and
/// fails ("known issue was not recorded") once BotCore is fixed, so the wrapper gets removed.
@Suite("BotCore known issues")
struct KnownIssueTests {
    @Test(arguments: ["emergency declare customers can't pay", "emergency declare customers can\u{2019}t pay"])
    func apostropheInsideAWordIsNotAQuote(_ text: String) {
        withKnownIssue("CommandText opens a quote at an apostrophe inside a word") {
            guard case .success(.plugin(let invocation)) = Router(table: Fixtures.table).route(text) else {
                Issue.record("refused: \(Router(table: Fixtures.table).route(text))")
                return
            }
            #expect(invocation.arguments["summary"]?.description.hasPrefix("customers can") == true)
        }
    }

    @Test(arguments: ["\u{202E}", "\u{2066}", "\u{200F}"])
    func bidiControlsAreRefused(_ control: String) {
        withKnownIssue("CommandText accepts bidi override characters (spoofed text in Slack/PagerDuty)") {
            #expect(throws: CommandText.Problem.self) { try CommandText.tokenize("emergency declare \(control)nwod si ipa") }
        }
    }

    @Test func helpDescribesAnUndeclaredRestArgumentAsFreeText() {
        let help = HelpText(table: Fixtures.table, policy: Fixtures.policy, slashCommand: "/hybrid")
        let text = help.help(for: Fixtures.nobody, channel: "C0OPS", topic: "emergency declare")
        withKnownIssue("HelpText uses CommandSpec.type(of:), which ignores the router's free-text rule for rest arguments") {
            #expect(text.contains("• `summary`: free text, up to 500 characters"), "\(text)")
        }
    }

    @Test func substitutedValuesAreNotSubstitutedAgain() {
        let step = StepTemplate(action: "slack.post", parameters: ["text": .string("{a} then {b}")])
        let resolved = step.resolve(with: ["a": .string("{b}"), "b": .string("B")])
        withKnownIssue("StepTemplate.resolve substitutes inside already substituted user text") {
            #expect(resolved["text"] == .string("{b} then B"))
        }
    }

    @Test(arguments: [
        ("password: \"correct horse battery\"", "horse"),
        ("postgresql://bot:p@ss@db/x", "ss@db"),
        ("refresh xoxe-1-abcdefghijkl", "abcdefghijkl"),
    ])
    func secretShapesThatLeak(_ text: String, _ leaked: String) {
        withKnownIssue("SecretRedactor misses quoted values with spaces, '@' in URL passwords and xoxe- refresh tokens") {
            #expect(!SecretRedactor.none.redact(text).contains(leaked), "\(SecretRedactor.none.redact(text))")
        }
    }
}
