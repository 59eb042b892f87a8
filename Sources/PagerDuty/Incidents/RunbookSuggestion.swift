/// Which bot command to suggest for an incident: the first rule whose keyword appears
/// (case-insensitively) in the service name or the title wins, else the fallback.
package struct RunbookSuggestion: Sendable, Equatable {
    package struct Rule: Sendable, Equatable {
        package var keywords: [String]
        package var command: String

        package init(keywords: [String], command: String) {
            self.keywords = keywords.map { $0.lowercased() }.filter { !$0.isEmpty }
            self.command = command
        }
    }

    package var rules: [Rule]
    package var fallback: String

    package init(rules: [Rule], fallback: String = "status") {
        self.rules = rules
        self.fallback = fallback
    }

    /// From plain configuration values (the integrator reads them from YAML), in the given order:
    /// `[(command, keywords)]`. Rules without keywords never match.
    package init(commands: [(command: String, keywords: [String])], fallback: String = "status") {
        self.init(rules: commands.map { Rule(keywords: $0.keywords, command: $0.command) }, fallback: fallback)
    }

    /// The runbooks' defaults (runbooks.md): latency, models, database, guardrails, review queues.
    package static let standard = RunbookSuggestion(rules: [
        Rule(keywords: ["latency", "slow", "response time", "p95", "timeout"], command: "latency check"),
        Rule(keywords: ["model", "inference", "gpu"], command: "models check"),
        Rule(keywords: ["database", "postgres", "connection"], command: "db connections"),
        Rule(keywords: ["guardrail"], command: "guardrails check"),
        Rule(keywords: ["review", "queue"], command: "review queues"),
    ])

    package func command(service: String?, title: String) -> String {
        let haystack = ((service ?? "") + "\n" + title).lowercased()
        for rule in rules where rule.keywords.contains(where: { haystack.contains($0) }) {
            return rule.command
        }
        return fallback
    }

    package func command(for incident: Incident) -> String {
        command(service: incident.service?.summary, title: incident.title)
    }
}
