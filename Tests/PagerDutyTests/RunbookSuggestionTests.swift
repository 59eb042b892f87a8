import Testing
@testable import PagerDuty

@Suite struct RunbookSuggestionTests {
    @Test(arguments: [
        ("Hybrid AI API", "API gateway p95 latency above 500 ms", "latency check"),
        ("Gateway", "Requests are SLOW", "latency check"),
        ("Gateway", "High Response Time on /v1/analyze", "latency check"),
        ("Specialized Models", "Pods restarting", "models check"),
        ("Hybrid AI", "GPU memory exhausted on node 3", "models check"),
        ("Hybrid AI", "Inference failures over 5%", "models check"),
        ("Postgres", "Too many clients", "db connections"),
        ("Hybrid AI", "Database connection pool exhausted", "db connections"),
        ("Guardrail engine", "Validation failures", "guardrails check"),
        ("Human review", "Backlog growing", "review queues"),
        ("Hybrid AI", "Review queue above 100", "review queues"),
        ("Hybrid AI", "Disk full on node 2", "status"),
    ] as [(String, String, String)])
    func standardRules(_ service: String, title: String, command: String) {
        #expect(RunbookSuggestion.standard.command(service: service, title: title) == command)
    }

    @Test func firstMatchingRuleWins() {
        // "latency" rule comes before "database": a slow database gets the latency check.
        #expect(RunbookSuggestion.standard.command(service: "Postgres", title: "Slow queries") == "latency check")
        let custom = RunbookSuggestion(commands: [("db connections", ["postgres"]), ("latency check", ["slow"])])
        #expect(custom.command(service: "Postgres", title: "Slow queries") == "db connections")
    }

    @Test func configurableFromPlainValues() {
        let custom = RunbookSuggestion(commands: [("cache flush", ["Redis", "CACHE"]), ("noop", [])], fallback: "help")
        #expect(custom.command(service: nil, title: "redis evictions") == "cache flush")
        #expect(custom.command(service: "Cache tier", title: "x") == "cache flush")
        #expect(custom.command(service: nil, title: "noop") == "help")
        let incident = Incident(id: "P1", number: 1, title: "Hit ratio low", status: "triggered", service: .init(id: "S", summary: "Redis"))
        #expect(custom.command(for: incident) == "cache flush")
    }
}
