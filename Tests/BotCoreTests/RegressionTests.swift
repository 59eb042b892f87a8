import BotCore
import Testing

/// Defects found while writing the BotCore tests, kept as regression tests.
@Suite("BotCore regressions")
struct RegressionTests {
    @Test(arguments: ["emergency declare customers can't pay", "emergency declare customers can\u{2019}t pay"])
    func apostropheInsideAWordIsNotAQuote(_ text: String) {
        guard case .success(.plugin(let invocation)) = Router(table: Fixtures.table).route(text) else {
            Issue.record("refused: \(Router(table: Fixtures.table).route(text))")
            return
        }
        #expect(invocation.arguments["summary"]?.description.hasPrefix("customers can") == true)
    }

    @Test(arguments: ["\u{202E}", "\u{2066}", "\u{200F}"])
    func bidiControlsAreRefused(_ control: String) {
        #expect(throws: CommandText.Problem.self) { try CommandText.tokenize("emergency declare \(control)nwod si ipa") }
    }

    @Test func helpDescribesAnUndeclaredRestArgumentAsFreeText() {
        let help = HelpText(table: Fixtures.table, policy: Fixtures.policy, slashCommand: "/hybrid")
        let text = help.help(for: Fixtures.nobody, channel: "C0OPS", topic: "emergency declare")
        #expect(text.contains("• `summary`: free text, up to 500 characters"), "\(text)")
    }

    @Test func substitutedValuesAreNotSubstitutedAgain() {
        let step = StepTemplate(action: "slack.post", parameters: ["text": .string("{a} then {b}")])
        let resolved = step.resolve(with: ["a": .string("{b}"), "b": .string("B")])
        #expect(resolved["text"] == .string("{b} then B"))
    }

    @Test(arguments: [
        ("password: \"correct horse battery\"", "horse"),
        ("postgresql://bot:p@ss@db/x", "ss@db"),
        ("refresh xoxe-1-abcdefghijkl", "abcdefghijkl"),
        ("https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN", "96rGlfmibIGlgcZRskXaIFfN"),
    ])
    func secretShapesAreRedacted(_ text: String, _ leaked: String) {
        #expect(!SecretRedactor.none.redact(text).contains(leaked), "\(SecretRedactor.none.redact(text))")
    }
}

@Suite("plan covers its steps")
struct PlanStepsTests {
    @Test func aPluginEditedWhileARequestWaitsVoidsIt() {
        let approved = CommandPlan(command: "cache flush", path: "cache flush", arguments: [:], facts: [],
                                   steps: StepTemplate(action: "redis.flushdb", parameters: [:]).canonical)
        let now = CommandPlan(command: "cache flush", path: "cache flush", arguments: [:], facts: [],
                              steps: StepTemplate(action: "redis.flushall", parameters: [:]).canonical)
        #expect(approved.hash != now.hash)
        #expect(approved.materialDifference(from: now) == "the command itself differs")
    }

    @Test func stepCanonicalFormIgnoresMapOrder() {
        let a = StepTemplate(action: "x", parameters: ["a": .int(1), "b": .map(["y": .string("1"), "z": .bool(true)])])
        let b = StepTemplate(action: "x", parameters: ["b": .map(["z": .bool(true), "y": .string("1")]), "a": .int(1)])
        #expect(a.canonical == b.canonical)
        #expect(a.canonical != StepTemplate(action: "x", parameters: ["a": .int(2)]).canonical)
    }
}
