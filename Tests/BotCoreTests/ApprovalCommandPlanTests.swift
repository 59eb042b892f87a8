import BotCore
import Testing

/// The plan an approval binds to: its hash, and what counts as the same plan when measured again.
@Suite("CommandPlan")
struct ApprovalCommandPlanTests {
    static func plan(
        path: String = "cache flush", arguments: [String: String] = ["db": "0"], facts: [PreviewFact]? = nil,
        previewLines: [String] = []
    ) -> CommandPlan {
        CommandPlan(command: path, path: path, arguments: arguments,
                    facts: facts ?? [keys(1234), .init(name: "backends", value: .set(["b", "a"]))], previewLines: previewLines)
    }

    static func keys(_ n: Int, tolerance: Double = 0.1) -> PreviewFact { .init(name: "keys", value: .count(n, tolerance: tolerance)) }

    // MARK: - Hash

    @Test("the hash is a SHA-256 of the canonical plan, the same in every process")
    func hashIsStable() {
        let p = Self.plan()
        #expect(p.hash == Self.plan().hash)
        #expect(p.hash.count == 64 && p.hash.allSatisfy { "0123456789abcdef".contains($0) })
        // Pinned: "path=cache flush\narg.db=0\nfact.backends={a,b}\nfact.keys=1234\n". The hash is in the audit
        // chain and the approval message; changing its canonical form must be a deliberate decision.
        #expect(p.hash == "949966617fce4a37070105733582ce622e1dc9649897a02a97423a27b048271e")
    }

    @Test("fact order, argument order and set member order do not change the hash")
    func hashIgnoresOrder() {
        let facts: [PreviewFact] = [Self.keys(1234), .init(name: "backends", value: .set(["b", "a"])), .init(name: "mode", value: .exact("all"))]
        var forward: [String: String] = [:]
        for (k, v) in [("db", "0"), ("host", "cache-1"), ("async", "yes"), ("z", "last")] { forward[k] = v }
        var backward: [String: String] = [:]
        for (k, v) in [("z", "last"), ("async", "yes"), ("host", "cache-1"), ("db", "0")] { backward[k] = v }
        let a = Self.plan(arguments: forward, facts: facts)
        let b = Self.plan(arguments: backward, facts: facts.reversed())
        let c = Self.plan(arguments: forward, facts: [facts[2], facts[0], .init(name: "backends", value: .set(["a", "b"]))])
        #expect(a.hash == b.hash)
        #expect(a.hash == c.hash)
    }

    @Test("the preview wording and the count tolerance are not part of the hash")
    func hashIgnoresWording() {
        #expect(Self.plan(previewLines: ["1234 keys"]).hash == Self.plan(previewLines: ["about 1.2k keys", "(db 0)"]).hash)
        let loose = Self.plan(facts: [Self.keys(1234, tolerance: 0.5), .init(name: "backends", value: .set(["a", "b"]))])
        #expect(loose.hash == Self.plan().hash)
    }

    @Test("any change to the path, an argument or a fact changes the hash", arguments: [
        ("path", plan(path: "cache flushall")),
        ("argument value", plan(arguments: ["db": "1"])),
        ("argument name", plan(arguments: ["database": "0"])),
        ("argument added", plan(arguments: ["db": "0", "async": "yes"])),
        ("argument removed", plan(arguments: [:])),
        ("count", plan(facts: [keys(1235), .init(name: "backends", value: .set(["a", "b"]))])),
        ("set member", plan(facts: [keys(1234), .init(name: "backends", value: .set(["a", "c"]))])),
        ("set member added", plan(facts: [keys(1234), .init(name: "backends", value: .set(["a", "b", "c"]))])),
        ("fact renamed", plan(facts: [keys(1234), .init(name: "backend", value: .set(["a", "b"]))])),
        ("fact removed", plan(facts: [keys(1234)])),
        ("fact added", plan(facts: [keys(1234), .init(name: "backends", value: .set(["a", "b"])), .init(name: "mode", value: .exact("x"))])),
    ])
    func hashChanges(_ change: String, _ changed: CommandPlan) {
        #expect(changed.hash != Self.plan().hash, "\(change)")
    }

    @Test("an exact fact's value is in the hash")
    func hashExact() {
        let v1 = Self.plan(facts: [.init(name: "version", value: .exact("7.2"))])
        let v2 = Self.plan(facts: [.init(name: "version", value: .exact("7.4"))])
        #expect(v1.hash != v2.hash)
    }

    /// Values are free text (a `{summary...}` argument, a measured member name): the canonical form must not let one
    /// plan's values spell out another plan's separators.
    @Test("different arguments or set members never share a hash through separator characters", arguments: [
        ("newline in an argument",
         plan(arguments: ["a": "1", "b": "2"]), plan(arguments: ["a": "1\narg.b=2"])),
        ("comma in a set member",
         plan(facts: [.init(name: "backends", value: .set(["a", "b"]))]), plan(facts: [.init(name: "backends", value: .set(["a,b"]))])),
        ("equals sign in an argument name",
         plan(arguments: ["a": "b=c"]), plan(arguments: ["a=b": "c"])),
    ])
    func hashIsInjective(_ what: String, _ one: CommandPlan, _ other: CommandPlan) {
        #expect(one.materialDifference(from: other) != nil, "the plans really differ")
        #expect(one.hash != other.hash, "\(what): two different plans hash the same")
    }

    // MARK: - Material difference

    @Test("the same plan measured again is no difference")
    func same() {
        #expect(Self.plan().materialDifference(from: Self.plan()) == nil)
        #expect(Self.plan().materialDifference(from: Self.plan(previewLines: ["reworded"])) == nil)
        let reordered = Self.plan(facts: [.init(name: "backends", value: .set(["a", "b", "a"])), Self.keys(1234)])
        #expect(Self.plan().materialDifference(from: reordered) == nil)
    }

    @Test("a count within its tolerance is the same plan", arguments: [
        (1000, 1050), (1000, 1100), (1000, 950), (1000, 900), (1000, 1000),
    ])
    func countWithinTolerance(_ was: Int, _ now: Int) {
        #expect(Self.plan(facts: [Self.keys(was)]).materialDifference(from: Self.plan(facts: [Self.keys(now)])) == nil)
    }

    @Test("a count beyond its tolerance is a difference naming the fact and both values", arguments: [
        (1000, 1200), (1000, 1101), (1000, 800), (1000, 0),
    ])
    func countBeyondTolerance(_ was: Int, _ now: Int) throws {
        let difference = try #require(Self.plan(facts: [Self.keys(was)]).materialDifference(from: Self.plan(facts: [Self.keys(now)])))
        #expect(difference.contains("keys"))
        #expect(difference.contains("\(was)") && difference.contains("\(now)"))
        #expect(difference == "keys \(was) → \(now)")
    }

    @Test("small counts drift by at least 1", arguments: [
        (0, 1, true), (1, 0, true), (5, 6, true), (5, 4, true),
        (0, 2, false), (2, 0, false), (5, 7, false), (5, 3, false),
    ])
    func smallCounts(_ was: Int, _ now: Int, _ same: Bool) {
        let difference = Self.plan(facts: [Self.keys(was)]).materialDifference(from: Self.plan(facts: [Self.keys(now)]))
        #expect((difference == nil) == same, "\(was) → \(now): \(difference ?? "no difference")")
    }

    @Test("the approved plan's tolerance decides, not the new measurement's")
    func toleranceOfTheApprovedPlan() {
        let approved = Self.plan(facts: [Self.keys(1000, tolerance: 0.1)])
        let loose = Self.plan(facts: [Self.keys(1500, tolerance: 0.9)])
        #expect(approved.materialDifference(from: loose) == "keys 1000 → 1500")
    }

    @Test("a set difference names the new and the gone members")
    func setDifference() throws {
        let was = Self.plan(facts: [.init(name: "backends", value: .set(["812", "977", "1001"]))])
        let changed = Self.plan(facts: [.init(name: "backends", value: .set(["977", "1204", "1500"]))])
        let difference = try #require(was.materialDifference(from: changed))
        #expect(difference == "backends changed (new: 1204, 1500; gone: 1001, 812)")

        let onlyNew = try #require(was.materialDifference(from: Self.plan(facts: [.init(name: "backends", value: .set(["812", "977", "1001", "7"]))])))
        #expect(onlyNew == "backends changed (new: 7)")
        let onlyGone = try #require(was.materialDifference(from: Self.plan(facts: [.init(name: "backends", value: .set(["977"]))])))
        #expect(onlyGone == "backends changed (gone: 1001, 812)")
    }

    @Test("an exact fact must match exactly")
    func exactDifference() {
        let was = Self.plan(facts: [.init(name: "version", value: .exact("7.2"))])
        #expect(was.materialDifference(from: Self.plan(facts: [.init(name: "version", value: .exact("7.2"))])) == nil)
        #expect(was.materialDifference(from: Self.plan(facts: [.init(name: "version", value: .exact("7.4"))])) == "version 7.2 → 7.4")
        #expect(was.materialDifference(from: Self.plan(facts: [.init(name: "version", value: .exact(""))])) != nil)
    }

    @Test("a fact that can no longer be measured, or is measured as another kind, is a difference")
    func missingOrRetyped() {
        let was = Self.plan(facts: [Self.keys(10), .init(name: "version", value: .exact("7.2"))])
        #expect(was.materialDifference(from: Self.plan(facts: [Self.keys(10)])) == "version could not be measured")
        #expect(was.materialDifference(from: Self.plan(facts: [])) == "keys could not be measured; version could not be measured")
        let retyped = Self.plan(facts: [.init(name: "keys", value: .exact("10")), .init(name: "version", value: .exact("7.2"))])
        #expect(was.materialDifference(from: retyped) == "keys is measured differently")
    }

    @Test("several changes are all reported")
    func severalChanges() throws {
        let was = Self.plan(facts: [Self.keys(1000), .init(name: "version", value: .exact("7.2"))])
        let now = Self.plan(facts: [Self.keys(5000), .init(name: "version", value: .exact("7.4"))])
        #expect(try #require(was.materialDifference(from: now)) == "keys 1000 → 5000; version 7.2 → 7.4")
    }

    @Test("a different path or different arguments is a different command", arguments: [
        plan(path: "cache flushall"), plan(arguments: ["db": "1"]), plan(arguments: [:]), plan(arguments: ["db": "0", "async": "yes"]),
    ])
    func differentCommand(_ other: CommandPlan) {
        #expect(Self.plan().materialDifference(from: other) == "the command itself differs")
        #expect(other.materialDifference(from: Self.plan()) == "the command itself differs")
    }
}
