import BotCore
import Testing

/// What routing produced, reduced to what a case asserts.
enum Outcome: Sendable, Equatable, CustomStringConvertible {
    case plugin(String, [String: ArgumentValue])
    case breakGlass(String, reason: String)
    case help(String?)
    case whoami
    case unknown(suggestion: String?)
    case usage(String)
    case malformed
    case empty

    init(_ result: Result<RoutedCommand, RoutingProblem>) {
        switch result {
        case .success(.plugin(let invocation)): self = .plugin(invocation.path, invocation.arguments)
        case .success(.breakGlass(let invocation, let reason)): self = .breakGlass(invocation.path, reason: reason)
        case .success(.help(let topic)): self = .help(topic)
        case .success(.whoami): self = .whoami
        case .failure(.unknown(_, let suggestion)): self = .unknown(suggestion: suggestion)
        case .failure(.usage(let spec, _)): self = .usage(spec.path)
        case .failure(.malformed): self = .malformed
        case .failure(.empty): self = .empty
        }
    }

    var isRefusal: Bool {
        switch self {
        case .unknown, .usage, .malformed, .empty: true
        case .plugin, .breakGlass, .help, .whoami: false
        }
    }

    var description: String {
        switch self {
        case .plugin(let path, let args): "plugin(\(path), \(args.sorted { $0.key < $1.key }))"
        case .breakGlass(let path, let reason): "breakGlass(\(path), \(reason))"
        case .help(let topic): "help(\(topic ?? "nil"))"
        case .whoami: "whoami"
        case .unknown(let suggestion): "unknown(\(suggestion ?? "nil"))"
        case .usage(let path): "usage(\(path))"
        case .malformed: "malformed"
        case .empty: "empty"
        }
    }
}

private let router = Router(table: Fixtures.table)
private let gateway = ArgumentValue.string("api-gateway")

@Suite("Router")
struct RouterTests {
    @Test(arguments: [
        ("scale api-gateway 10", Outcome.plugin("scale", ["deployment": gateway, "replicas": .int(10)])),
        ("SCALE Api-Gateway 1", .plugin("scale", ["deployment": gateway, "replicas": .int(1)])),
        ("  scale   api-gateway   50  ", .plugin("scale", ["deployment": gateway, "replicas": .int(50)])),
        ("scale \u{201C}ai-orchestrator\u{201D} 7", .plugin("scale", ["deployment": .string("ai-orchestrator"), "replicas": .int(7)])),
        ("db long-queries", .plugin("db long-queries", ["minutes": .int(5)])),
        ("db long-queries 30", .plugin("db long-queries", ["minutes": .int(30)])),
        ("Db Long-Queries 60", .plugin("db long-queries", ["minutes": .int(60)])),
        ("cache ttl 60", .plugin("cache ttl", ["seconds": .int(60)])),
        ("cache ttl 60 big", .plugin("cache ttl", ["seconds": .int(60), "max_size": .string("big")])),
        ("emergency declare checkout is down", .plugin("emergency declare", ["summary": .string("checkout is down")])),
        ("emergency declare \"checkout   down\"", .plugin("emergency declare", ["summary": .string("checkout   down")])),
        ("cache flush", .plugin("cache flush", [:])),
        ("help", .help(nil)),
        ("help scale", .help("scale")),
        ("HELP Cache Flush", .help("cache flush")),
        ("whoami", .whoami),
        ("WhoAmI", .whoami),
        ("break-glass cache flush -- redis is out of memory", .breakGlass("cache flush", reason: "redis is out of memory")),
        ("break-glass cache flush \u{2014} site down, no approver awake", .breakGlass("cache flush", reason: "site down, no approver awake")),
        ("cache flush --break-glass \"redis OOM, checkout down\"", .breakGlass("cache flush", reason: "redis OOM, checkout down")),
        ("cache flush \u{2014}break-glass redis OOM, checkout down", .breakGlass("cache flush", reason: "redis OOM, checkout down")),
    ])
    func routes(_ text: String, _ expected: Outcome) {
        #expect(Outcome(router.route(text)) == expected)
    }

    @Test(arguments: [
        ("break-glass cache flush", Outcome.malformed),
        ("cache flush --break-glass", .malformed),
        ("cache flush --break-glass \"\"", .malformed),
        ("break-glass cache flush -- short", .malformed),
        ("break-glass -- a perfectly good reason", .malformed),
        ("break-glass scale api-gateway 99 -- a perfectly good reason", .usage("scale")),
        ("scael api-gateway 3", Outcome.unknown(suggestion: "scale")),
        ("hlep", .unknown(suggestion: "help")),
        ("cache flsh", .unknown(suggestion: "cache flush")),
        ("deploy everything", .unknown(suggestion: nil)),
        ("cache", .unknown(suggestion: nil)),
        ("whoami please", .unknown(suggestion: "whoami")),
        ("scale", .usage("scale")),
        ("scale api-gateway", .usage("scale")),
        ("scale api-gateway 3 4", .usage("scale")),
        ("cache ttl", .usage("cache ttl")),
        ("cache ttl 60 big extra", .usage("cache ttl")),
        ("emergency declare", .usage("emergency declare")),
        ("cache flush now", .usage("cache flush")),
        ("db long-queries 0", .usage("db long-queries")),
        ("", .empty),
        ("    ", .empty),
    ])
    func refusesWithTheRightProblem(_ text: String, _ expected: Outcome) {
        #expect(Outcome(router.route(text)) == expected)
    }

    @Test(arguments: ["0", "51", "-1", "1e3", "99999999999999999999", "3.5", "0x10", "ten", "", "1 0", "٣"])
    func replicasOutOfBoundsOrNotANumber(_ replicas: String) {
        #expect(Outcome(router.route("scale api-gateway \"\(replicas)\"")) == .usage("scale"))
    }

    @Test(arguments: ["web", "api", "api-gateway2", "'api-gateway'x", "*"])
    func deploymentNotInList(_ deployment: String) {
        #expect(Outcome(router.route("scale \(deployment) 3")) == .usage("scale"))
    }

    @Test(arguments: [
        "scale api-gateway 10; rm -rf /",
        "scale api-gateway 10 && reboot",
        "scale api-gateway `reboot`",
        "scale `api-gateway` 10",
        "$(reboot)",
        "scale $(x) 3",
        "scale api-gateway $(reboot)",
        "scale api-gateway 10%0A",
        "scale api-gateway%0A 10",
        "scale api-gateway 10\n",
        "scale api-gateway 10\r",
        "scale api-gateway 10\u{0}",
        "scale api-gateway '10; reboot'",
        "scale api-gateway ${IFS}10",
        "scale ../../etc/passwd 3",
        "scale api-gateway 10 | sh",
        "cache ttl 60 $(reboot)",
        "emergency declare down\nrm -rf /",
        "db long-queries 5;DROP TABLE users",
        String(repeating: "scale api-gateway 10 ", count: 500),
    ])
    func injectionLookingTextIsRefused(_ text: String) {
        let outcome = Outcome(router.route(text))
        #expect(outcome.isRefusal, "routed to \(outcome)")
    }

    @Test func usageMessageShowsThePattern() throws {
        guard case .failure(let problem) = router.route("scale api-gateway 99") else {
            Issue.record("99 replicas must be refused")
            return
        }
        #expect(problem.message == "`replicas` must be at most 50 (got 99).\nUsage: `scale {deployment} {replicas}` — Scale a deployment")
    }

    @Test func unknownMessageSuggests() throws {
        guard case .failure(let problem) = router.route("scael api-gateway 3") else {
            Issue.record("a typo must be refused")
            return
        }
        #expect(problem.message == "Unknown command `scael api-gateway`. Did you mean `scale`? Try `help` for the list.")
    }

    @Test func stepsResolveTypedArguments() throws {
        guard case .success(.plugin(let invocation)) = router.route("scale api-gateway 10") else {
            Issue.record("scale did not route")
            return
        }
        #expect(invocation.canonicalText == "scale api-gateway 10")
        #expect(invocation.spec.steps[0].resolve(with: invocation.arguments) == ["deployment": .string("api-gateway"), "replicas": .int(10)])
    }
}
