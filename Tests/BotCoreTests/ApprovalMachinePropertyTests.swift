import BotCore
import Testing

/// Random event sequences through the approval machine and a tiny simulated runner, checked against the safety rules.
///
/// Deterministic: sequence `i` is generated from seed `baseSeed + i`. A failure prints the seed, the request's rule and
/// every event with what it did; to replay one, put its seed in `replaySeeds` (they run first, in the same tests).
@Suite("ApprovalMachine properties")
struct ApprovalMachinePropertyTests {
    typealias Event = ApprovalMachine.Event
    typealias Action = ApprovalMachine.Action
    typealias F = ApprovalFixtures

    static let baseSeed: UInt64 = 0x00A9_9A01_5EED_0000
    static let sequences = 10_000
    static let replaySeeds: [UInt64] = []

    /// SplitMix64: tiny, fast, and the same numbers on every platform.
    struct SplitMix64: RandomNumberGenerator {
        private var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct Step: Sendable {
        let event: Event
        let after: ApprovalRequest
        let actions: [Action]
    }

    struct Violation: Sendable {
        /// a–f: the rules of the brief; g: late clicks expire; h: state graph and persistence.
        let rule: Character
        let message: String
    }

    struct Outcome: Sendable {
        let seed: UInt64
        let initial: ApprovalRequest
        let steps: [Step]
        let violations: [Violation]
        let executions: Int

        var report: String {
            var lines = ["seed \(seed) (0x\(String(seed, radix: 16))): required \(initial.required) from \(initial.approverRoles), "
                + "expiresAt \(initial.expiresAt)"]
            for (i, step) in steps.enumerated() {
                lines.append("  \(i + 1). \(Self.describe(step.event)) → \(step.after.state.rawValue) "
                    + "votes \(step.after.approvals.map { "\($0.user)@\($0.at)" }) \(step.actions.map(\.shape))")
            }
            for v in violations { lines.append("  ✗ (\(v.rule)) \(v.message)") }
            return lines.joined(separator: "\n")
        }

        static func describe(_ event: Event) -> String {
            func who(_ r: Requester) -> String { r.groups.isEmpty ? r.userID : "\(r.userID)\(r.groups.sorted())" }
            switch event {
            case .approve(let r, let at): return "approve(\(who(r))@\(at))"
            case .deny(let r, let at): return "deny(\(who(r))@\(at))"
            case .cancel(let r, let at): return "cancel(\(who(r))@\(at))"
            case .tick(let at): return "tick(@\(at))"
            case .planChecked(let matches, _): return "planChecked(\(matches ? "match" : "MISMATCH"))"
            case .executionFinished(let success): return "executionFinished(\(success ? "ok" : "failed"))"
            case .interruptedByRestart: return "interruptedByRestart"
            }
        }
    }

    static func directoryEntry(_ user: String) -> Requester? {
        F.everyone.first { $0.userID == user && ($0.userID != F.requester.userID || $0.groups.isEmpty) }
    }

    static func isEligible(_ user: String, _ request: ApprovalRequest) -> Bool {
        guard let who = directoryEntry(user) else { return false }
        return !Set(F.policy.roles(of: who)).isDisjoint(with: request.approverRoles)
    }

    static func time(of event: Event) -> Int64? {
        switch event {
        case .approve(_, let at), .deny(_, let at), .cancel(_, let at), .tick(let at): at
        default: nil
        }
    }

    static func isClick(_ event: Event) -> Bool {
        switch event {
        case .approve, .deny, .cancel: true
        default: false
        }
    }

    static let allowedMoves: [ApprovalRequest.State: Set<ApprovalRequest.State>] = [
        .pending: [.pending, .verifying, .denied, .cancelled, .expired],
        .verifying: [.verifying, .executing, .voided],
        .executing: [.executing, .executed, .failed],
    ]

    // MARK: - One sequence

    static func simulate(seed: UInt64) -> Outcome {
        var rng = SplitMix64(seed: seed)
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

        let required = Int.random(in: 1...3, using: &rng)
        let roleSets: [[String]] = [["operator", "commander"], ["operator", "commander"], ["commander"], ["operator"]]
        let roles = roleSets[Int.random(in: 0..<roleSets.count, using: &rng)]
        let initial = F.request(required: required, votes: [], approverRoles: roles)
        let length = Int.random(in: 1...30, using: &rng)

        var request = initial
        var steps: [Step] = []
        var violations: [Violation] = []
        func fail(_ rule: Character, _ message: String) { violations.append(Violation(rule: rule, message: message)) }

        var clock = Int64.random(in: 0...1_000, using: &rng)
        var checksInFlight = 0
        var running = false
        var executions = 0
        var endedWithoutRunning = false
        var acceptedClicks: [ApprovalRequest.Vote] = []  // approve events delivered while pending, before expiry

        for _ in 0..<length {
            clock += chance(4) ? Int64.random(in: 0...400_000, using: &rng) : Int64.random(in: 0...15_000, using: &rng)
            let event: Event
            if checksInFlight > 0 && chance(35) {
                event = .planChecked(matches: chance(75), difference: "keys 1000 → \(Int.random(in: 1_200...9_000, using: &rng))")
            } else if running && chance(35) {
                event = .executionFinished(success: chance(80))
            } else {
                // Someone clicks: often an eligible approver, sometimes the requester, an outsider or a repeat voter.
                let clicker: Requester = if !request.approvals.isEmpty && chance(20) {
                    directoryEntry(request.approvals[Int.random(in: 0..<request.approvals.count, using: &rng)].user) ?? F.a
                } else {
                    F.everyone[Int.random(in: 0..<F.everyone.count, using: &rng)]
                }
                switch Int.random(in: 0..<100, using: &rng) {
                case 0..<50: event = .approve(clicker, at: clock)
                case 50..<55: event = .deny(clicker, at: clock)
                case 55..<59: event = .cancel(clicker, at: clock)
                case 59..<69: event = .tick(at: clock)
                case 69..<75: event = .tick(at: Int64.random(in: 0...900_000, using: &rng))  // a sweeper at any time
                case 75..<82: event = .planChecked(matches: chance(50), difference: "stray")  // stale or duplicate check
                case 82..<88: event = .executionFinished(success: chance(50))  // stray result
                default: event = .interruptedByRestart
                }
            }

            let before = request
            let (after, actions) = ApprovalMachine.handle(event, before, policy: F.policy)
            let executes = actions.filter { $0 == .execute }.count

            // (a) at most one execute, ever.
            if executes > 1 || (executes == 1 && executions > 0) { fail("a", "a second .execute") }
            if executes > 0 {
                // (b) enough distinct, eligible, non-requester approvals, all on time and all really clicked.
                let users = after.approvals.map(\.user)
                if users.count < after.required { fail("b", "execute with \(users.count) of \(after.required) approvals") }
                if Set(users).count != users.count { fail("b", "execute with duplicate approvers \(users)") }
                if users.contains(after.requester) { fail("b", "execute approved by the requester") }
                for vote in after.approvals {
                    if !isEligible(vote.user, after) { fail("b", "execute counting ineligible \(vote.user)") }
                    if vote.at >= after.expiresAt { fail("b", "execute counting \(vote.user)'s late approval at \(vote.at)") }
                    if !acceptedClicks.contains(vote) { fail("b", "execute counting a vote nobody cast: \(vote)") }
                }
                if before.state != .verifying || after.state != .executing {
                    fail("b", "execute on \(before.state) → \(after.state), not verifying → executing")
                }
                // (c) never after it ended without running.
                if endedWithoutRunning { fail("c", "execute after the request was denied, cancelled, expired or voided") }
            }
            // (d) a final state never changes.
            if before.state.isFinal && (after != before || actions.contains(where: { [.persist, .verifyPlan, .execute].contains($0.shape) })) {
                fail("d", "final \(before.state) moved to \(after.state) with \(actions)")
            }
            // (e) no duplicate approvers, never the requester.
            let users = after.approvals.map(\.user)
            if Set(users).count != users.count || users.contains(after.requester) { fail("e", "approvals \(users)") }
            // (f) a refusal changes nothing, except that a late click expires a pending request (and only that).
            if actions.contains(where: { $0.shape == .refuse }) {
                if actions.contains(where: { [.verifyPlan, .execute, .requestAgain].contains($0.shape) }) {
                    fail("f", "refusal together with \(actions)")
                }
                if !actions.contains(.persist) {
                    if after != before { fail("f", "refusal changed the request") }
                } else {
                    var expired = before
                    expired.state = .expired
                    if before.state != .pending || after != expired || (time(of: event) ?? 0) < before.expiresAt {
                        fail("f", "refusal with persist that is not a late click expiring a pending request")
                    }
                }
            }
            // (g) after expiry, any click or tick on a pending request expires it: the outcome does not depend on
            // whether the sweeper got there first.
            if before.state == .pending, let at = time(of: event), at >= before.expiresAt, after.state != .expired {
                fail("g", "\(Outcome.describe(event)) at/after expiresAt left a pending request \(after.state)")
            }
            // (h) only the allowed moves; persist exactly when something changed; approvals only ever grow.
            if !before.state.isFinal, !(allowedMoves[before.state]?.contains(after.state) ?? false) {
                fail("h", "illegal move \(before.state) → \(after.state)")
            }
            if actions.contains(.persist) != (after != before) { fail("h", "persist is \(actions.contains(.persist)) but changed is \(after != before)") }
            if !after.approvals.starts(with: before.approvals) { fail("h", "approvals rewritten") }
            if after.approvals.count > before.approvals.count + 1 { fail("h", "more than one vote added by one event") }

            // The runner: record genuine clicks, then carry out the actions.
            if case .approve(let who, let at) = event, before.state == .pending, at < before.expiresAt {
                acceptedClicks.append(.init(user: who.userID, at: at))
            }
            switch event {
            case .interruptedByRestart: checksInFlight = 0; running = false  // the process died with its work
            case .planChecked where checksInFlight > 0: checksInFlight -= 1
            case .executionFinished where running: running = false
            default: break
            }
            for action in actions {
                switch action {
                case .verifyPlan: checksInFlight += 1
                case .execute: executions += 1; running = true
                default: break
                }
            }
            if [.denied, .cancelled, .expired, .voided].contains(after.state) { endedWithoutRunning = true }
            request = after
            steps.append(Step(event: event, after: after, actions: actions))
        }
        return Outcome(seed: seed, initial: initial, steps: steps, violations: violations, executions: executions)
    }

    /// All sequences, run once and shared by the tests below.
    static let outcomes: [Outcome] = (replaySeeds + (0..<UInt64(sequences)).map { baseSeed &+ $0 }).map(simulate(seed:))

    static func reportViolations(of rules: Set<Character>) {
        let failing = outcomes.filter { $0.violations.contains { rules.contains($0.rule) } }
        guard !failing.isEmpty else { return }
        let rulesBroken = Set(failing.flatMap { $0.violations.map(\.rule) }.filter(rules.contains)).sorted()
        Issue.record("""
            \(failing.count) of \(outcomes.count) sequences break rule(s) \(rulesBroken.map(String.init).joined(separator: ", ")); \
            the first \(min(3, failing.count)):
            \(failing.prefix(3).map(\.report).joined(separator: "\n"))
            """)
    }

    @Test("(a)–(f), (h): execute once, only with enough genuine eligible approvals, finals final, refusals inert")
    func safetyInvariants() {
        Self.reportViolations(of: ["a", "b", "c", "d", "e", "f", "h"])
    }

    @Test("(g): once expiresAt has passed, a pending request can only become expired, whoever clicks")
    func lateClicksExpire() {
        Self.reportViolations(of: ["g"])
    }

    @Test("the random sequences reach every outcome (so the invariants are not vacuous)")
    func coverage() {
        let outcomes = Self.outcomes
        #expect(outcomes.count >= 10_000)
        var finals: [ApprovalRequest.State: Int] = [:]
        for o in outcomes { finals[o.steps.last?.after.state ?? .pending, default: 0] += 1 }
        let executed = outcomes.filter { $0.executions > 0 }.count
        let perRequired = Dictionary(grouping: outcomes.filter { $0.executions > 0 }, by: \.initial.required).mapValues(\.count)
        func count(_ where: (Outcome) -> Bool) -> Int { outcomes.filter(`where`).count }
        let restartWhileRunning = count { o in
            zip([o.initial] + o.steps.map(\.after), o.steps).contains { $0.state == .executing && $1.event == .interruptedByRestart }
        }
        let reverified = count { o in o.steps.contains { $0.event == .interruptedByRestart && $0.actions == [.verifyPlan] } }
        let requesterRefused = count { o in
            o.steps.contains { $0.actions.contains(.refuse("You cannot approve your own request.")) }
        }
        let duplicateRefused = count { o in
            o.steps.contains { $0.actions.contains(.refuse("Your approval is already counted; another approver is needed.")) }
        }
        let summary = "finals \(finals.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }), executed \(executed) \(perRequired), "
            + "restart while executing \(restartWhileRunning), re-verified \(reverified), "
            + "requester refused \(requesterRefused), duplicate refused \(duplicateRefused)"
        for state in ApprovalRequest.State.allCases {
            #expect(finals[state, default: 0] >= 50, "too few sequences end \(state): \(summary)")
        }
        for required in 1...3 { #expect(perRequired[required, default: 0] >= 50, "\(summary)") }
        #expect(restartWhileRunning >= 50 && reverified >= 50, "\(summary)")
        #expect(requesterRefused >= 500 && duplicateRefused >= 200, "\(summary)")
    }

    @Test("the generator is deterministic")
    func deterministic() {
        let again = Self.simulate(seed: Self.baseSeed &+ 42)
        let first = Self.outcomes[Self.replaySeeds.count + 42]
        #expect(again.steps.map(\.event) == first.steps.map(\.event))
        #expect(again.steps.map(\.actions) == first.steps.map(\.actions))
    }
}
