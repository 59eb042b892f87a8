import BotCore
import Testing

@Suite("CommandGlob")
struct CommandGlobTests {
    @Test(arguments: [
        ("scale *", "scale", true),
        ("scale *", "scale now", true),
        ("scale *", "scaler", false),
        ("scale *", "rescale", false),
        ("scale", "scale", true),
        ("scale", "scale now", false),
        ("* check", "latency check", true),
        ("* check", "check", true),
        ("* check", "models check", true),
        ("* check", "models check now", false),
        ("* check", "checkout", false),
        ("db *", "db terminate", true),
        ("db *", "db", true),
        ("db *", "dba terminate", false),
        ("db *", "cache flush", false),
        ("cache flush", "cache flush", true),
        ("cache flush", "cache", false),
        ("cache flush", "cache flush all", false),
        ("cache flush", "Cache Flush", true),
        ("Cache Flush", "cache flush", true),
        ("*", "anything at all", true),
        ("*", "help", true),
        ("db term*", "db terminate", true),
        ("db term*", "db term", true),
        ("db term*", "db restore", false),
        ("db term*", "db terminate now", false),
        ("db *te", "db terminate", true),
        ("db *te", "db terminated", false),
        ("* * *", "a b", true),
    ])
    func matches(_ glob: String, _ path: String, _ expected: Bool) {
        #expect(CommandGlob(glob).matches(path) == expected)
    }

    @Test func keepsItsSource() {
        #expect(CommandGlob("Scale *").source == "Scale *")
        #expect(CommandGlob("Scale *").description == "Scale *")
    }
}
