import BotCore
import Plugins
import Testing

@Suite("PluginLoader")
struct PluginLoaderTests {
    static let db = """
        name: db
        runbook: Database runbook
        commands:
          - pattern: "db long-queries {minutes=5}"
            summary: Long-running queries
            args:
              minutes: { int: { min: 1, max: 60 } }
            preview:
              - postgres.query: { sql: long_queries }
            steps:
              - postgres.query: { sql: long_queries, minutes: "{minutes}", explain: false, ratio: 0.5 }
          - pattern: "db terminate {pid} [reason]"
            summary: Terminate a backend
            destructive: true
            args:
              pid: { pattern: "[0-9]{1,7}" }
              reason: { one_of: [stuck, runaway, on, "yes"] }
            steps:
              - postgres.query: { sql: terminate, params: ["{pid}", "by {reason}"], meta: { who: "{reason}" } }
          - pattern: "emergency declare {summary...}"
            summary: Declare an emergency
            args:
              summary: { int: }
            steps:
              - slack.post:

        """

    @Test func loadsEveryField() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("plugins/db/plugin.yaml", Self.db)
        let result = PluginLoader.load(directory: dir.path + "/plugins", knownActions: fixtureActions)
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.plugins == [PluginInfo(name: "db", runbook: "Database runbook", file: file, commandCount: 3)])
        #expect(result.table.commands.map(\.path) == ["db long-queries", "db terminate", "emergency declare"])

        let long = try #require(result.table.command(path: "db long-queries"))
        #expect(long.arguments == ["minutes": .int(min: 1, max: 60)])
        #expect(long.location == SourceLocation(file: file, line: 4))
        #expect(!long.destructive)
        #expect(long.preview == [StepTemplate(action: "postgres.query", parameters: ["sql": .string("long_queries")], line: 9)])
        #expect(long.steps == [StepTemplate(action: "postgres.query", parameters: [
            "sql": .string("long_queries"), "minutes": .string("{minutes}"), "explain": .bool(false), "ratio": .double(0.5),
        ], line: 11)])

        let terminate = try #require(result.table.command(path: "db terminate"))
        #expect(terminate.destructive)
        // YAML 1.1 would read `on` as true; choices are taken as written.
        #expect(terminate.arguments["reason"] == .oneOf(["stuck", "runaway", "on", "yes"]))
        #expect(terminate.arguments["pid"] == .pattern("[0-9]{1,7}"))
        #expect(terminate.steps.first?.parameters["params"] == .list([.string("{pid}"), .string("by {reason}")]))
        #expect(terminate.steps.first?.parameters["meta"] == .map(["who": .string("{reason}")]))

        let emergency = try #require(result.table.command(path: "emergency declare"))
        #expect(emergency.arguments["summary"] == .int(min: nil, max: nil))
        #expect(emergency.steps == [StepTemplate(action: "slack.post", parameters: [:], line: 25)])
    }

    @Test func loadedCommandsRoute() throws {
        let dir = try TemporaryDirectory()
        try dir.write("plugins/db/plugin.yaml", Self.db)
        let router = Router(table: PluginLoader.load(directory: dir.path + "/plugins", knownActions: fixtureActions).table)
        guard case .success(.plugin(let long)) = router.route("db long-queries") else {
            Issue.record("db long-queries did not route")
            return
        }
        #expect(long.arguments == ["minutes": .int(5)])
        #expect(long.spec.steps.first?.resolve(with: long.arguments)["minutes"] == .int(5))
        guard case .failure(.usage) = router.route("db terminate 12; reboot") else {
            Issue.record("a non-numeric pid must be refused")
            return
        }
    }

    @Test func pluginsAreScannedInFolderOrderAndProblemsDoNotStopTheScan() throws {
        let dir = try TemporaryDirectory()
        for name in ["zeta", "alpha", "mid"] {
            try dir.write("plugins/\(name)/plugin.yaml", """
                name: \(name)
                runbook: r
                commands:
                  - pattern: \(name) go
                    summary: s
                    steps: [{slack.post: {}}]

                """)
        }
        try dir.write("plugins/broken/plugin.yaml", "name: broken\nrunbook: [\n")
        let result = PluginLoader.load(directory: dir.path + "/plugins", knownActions: fixtureActions)
        #expect(result.plugins.map(\.name) == ["alpha", "mid", "zeta"])
        #expect(result.table.commands.map(\.path) == ["alpha go", "mid go", "zeta go"])
        #expect(dir.relative(result.problems).count == 1)
        #expect(dir.relative(result.problems).first?.hasPrefix("plugins/broken/plugin.yaml:3: invalid YAML:") == true)
    }
}
