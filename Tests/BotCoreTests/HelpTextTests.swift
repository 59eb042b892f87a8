import BotCore
import Testing

@Suite("HelpText")
struct HelpTextTests {
    static let help = HelpText(table: Fixtures.table, policy: Fixtures.policy, slashCommand: "/hybrid")

    @Test func listsOnlyAllowedCommands() {
        let text = Self.help.help(for: Fixtures.nobody, channel: "C0OPS", topic: nil)
        #expect(text.contains("`/hybrid emergency declare {summary...}` — Declare an emergency"))
        #expect(!text.contains("scale"))
        #expect(!text.contains("cache"))
        #expect(!text.contains("db long-queries"))
        #expect(text.contains("`/hybrid help` · `/hybrid whoami` — always available"))
    }

    @Test func operatorSeesDestructiveMarker() {
        let text = Self.help.help(for: Fixtures.alice, channel: "C0OPS", topic: nil)
        #expect(text.contains("`/hybrid scale {deployment} {replicas}` — Scale a deployment"))
        #expect(text.contains("`/hybrid cache flush` — Flush the cache _(needs approval)_"))
        #expect(!text.contains("db long-queries"))
    }

    @Test func channelRestrictionHidesCommands() {
        #expect(Self.help.help(for: Fixtures.carol, channel: "C0OPS", topic: nil).contains("db long-queries"))
        #expect(!Self.help.help(for: Fixtures.carol, channel: "C0RANDOM", topic: nil).contains("db long-queries"))
    }

    @Test func topicShowsArgumentTypes() {
        let text = Self.help.help(for: Fixtures.alice, channel: "C0OPS", topic: "scale")
        #expect(text.contains("• `deployment`: one of `api-gateway`, `ai-orchestrator`"))
        #expect(text.contains("• `replicas`: a whole number from 1 to 50"))
        #expect(Self.help.help(for: Fixtures.nobody, channel: "C0OPS", topic: "scale")
            == "No command `scale` that you may run here. Try `/hybrid help`.")
    }

    @Test func denyAllListsNothing() {
        let help = HelpText(table: Fixtures.table, policy: .denyAll, slashCommand: "/hybrid")
        let text = help.help(for: Fixtures.alice, channel: "C0OPS", topic: nil)
        #expect(text.contains("_You have no other commands here."))
        #expect(!text.contains("scale"))
    }

    @Test func whoamiShowsRoles() {
        let text = Self.help.whoami(for: Fixtures.alice, channel: "C0OPS")
        #expect(text.contains("*You are* <@U01ALICE> (`U01ALICE`)"))
        #expect(text.contains("*Roles:* `operator`, `responder`"))
        #expect(text.contains("*May approve:* `cache flush`"))
        #expect(text.contains("*PagerDuty identity:* alice@example.com"))
        let nobody = Self.help.whoami(for: Fixtures.nobody, channel: "C0OPS")
        #expect(nobody.contains("*Roles:* `responder`"))
        #expect(nobody.contains("*May approve:* nothing"))
        #expect(!nobody.contains("PagerDuty"))
        #expect(HelpText(table: Fixtures.table, policy: .denyAll, slashCommand: "/hybrid")
            .whoami(for: Fixtures.nobody, channel: "C0OPS").contains("*Roles:* none"))
    }
}
