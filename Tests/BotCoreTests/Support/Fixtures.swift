import BotCore

/// Commands and a policy built in code, shared by the router, help and permission tests.
enum Fixtures {
    static func pattern(_ source: String) -> CommandPattern {
        do { return try CommandPattern(parsing: source) } catch { fatalError("bad fixture pattern \(source): \(error)") }
    }

    static let scale = CommandSpec(
        plugin: "k8s", pattern: pattern("scale {deployment} {replicas}"), summary: "Scale a deployment",
        arguments: ["deployment": .oneOf(["api-gateway", "ai-orchestrator"]), "replicas": .int(min: 1, max: 50)],
        steps: [StepTemplate(action: "kubernetes.scale", parameters: ["deployment": .string("{deployment}"), "replicas": .string("{replicas}")])]
    )
    static let longQueries = CommandSpec(
        plugin: "db", pattern: pattern("db long-queries {minutes=5}"), summary: "Long-running queries",
        arguments: ["minutes": .int(min: 1, max: 60)], steps: [StepTemplate(action: "postgres.query", parameters: [:])]
    )
    static let cacheTTL = CommandSpec(
        plugin: "cache", pattern: pattern("cache ttl {seconds} [max_size]"), summary: "Set the cache TTL",
        arguments: ["seconds": .int(min: 1, max: 86_400)], steps: [StepTemplate(action: "redis.config", parameters: [:])]
    )
    static let emergency = CommandSpec(
        plugin: "incident", pattern: pattern("emergency declare {summary...}"), summary: "Declare an emergency",
        steps: [StepTemplate(action: "pagerduty.trigger", parameters: ["summary": .string("{summary}")])]
    )
    static let cacheFlush = CommandSpec(
        plugin: "cache", pattern: pattern("cache flush"), summary: "Flush the cache", destructive: true,
        steps: [StepTemplate(action: "redis.flushdb", parameters: [:])]
    )

    static let table = CommandTable([scale, longQueries, cacheTTL, emergency, cacheFlush])

    static let alice = Requester(userID: "U01ALICE")
    static let carol = Requester(userID: "U03CAROL")
    static let nobody = Requester(userID: "U09NOBODY")
    static let sreMember = Requester(userID: "U07EVE", groups: ["S0SRE"])
    static let otherGroupMember = Requester(userID: "U07EVE", groups: ["S0OTHER"])

    static let policy = PermissionPolicy(
        roles: [
            "responder": Role(name: "responder", users: ["*"]),
            "operator": Role(name: "operator", users: ["U01ALICE"], groups: ["S0SRE"]),
            "dba": Role(name: "dba", users: ["U03CAROL"]),
        ],
        grants: [
            Grant(roles: ["responder"], allow: ["status", "* check", "emergency declare"].map(CommandGlob.init)),
            Grant(roles: ["operator"], allow: ["scale *", "cache *"].map(CommandGlob.init)),
            Grant(roles: ["dba"], allow: [CommandGlob("db *")]),
        ],
        approvals: [
            ApprovalRule(commands: [CommandGlob("cache flush")], approvers: ["operator"], required: 1, expiresAfter: .seconds(900)),
        ],
        channels: [ChannelRule(commands: [CommandGlob("db *")], onlyIn: ["C0OPS"])],
        identities: ["U01ALICE": "alice@example.com"]
    )
}
