import BotCore
import Testing

/// Every (state, event kind) pair of the approval machine, with the exact next request and the shape of its actions.
@Suite("ApprovalMachine table")
struct ApprovalMachineTableTests {
    typealias State = ApprovalRequest.State
    typealias Event = ApprovalMachine.Event
    typealias F = ApprovalFixtures

    static let now: Int64 = 1_000
    static let late: Int64 = F.expiresAt  // `now >= expiresAt` is expired: the boundary itself is late.
    static let difference = "keys 1000 → 1200"

    enum Kind: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case approveByRequester, approveByRequesterViaGroup, approveByEligibleA, approveByEligibleBCompleting
        case approveByCommanderRequiredOne, approveByGroupCommanderRequiredOne, approveByIneligible
        case approveByStranger, approveByAlreadyVotedA
        case denyByRequester, denyByEligible, denyByAlreadyVotedA, denyByIneligible
        case cancelByRequester, cancelByOther
        case tickBeforeExpiry, tickAtExpiry
        case planMatches, planChanged
        case executionSucceeded, executionFailed
        case interruptedByRestart
        case approveAfterExpiry, approveByRequesterAfterExpiry, denyAfterExpiry, denyByIneligibleAfterExpiry
        case denyByRequesterAfterExpiry, cancelByRequesterAfterExpiry, cancelByOtherAfterExpiry

        var testDescription: String { rawValue }

        /// A click on a button (approve, deny, cancel).
        var isClick: Bool {
            switch event {
            case .approve, .deny, .cancel: true
            default: false
            }
        }

        /// (required, votes already in, event)
        var setup: (required: Int, votes: [String], event: Event) {
            let now = ApprovalMachineTableTests.now, late = ApprovalMachineTableTests.late
            switch self {
            case .approveByRequester: return (2, [], .approve(F.requester, at: now))
            case .approveByRequesterViaGroup: return (1, [], .approve(F.requesterOnCall, at: now))
            case .approveByEligibleA: return (2, [], .approve(F.a, at: now))
            case .approveByEligibleBCompleting: return (2, ["U0A"], .approve(F.b, at: now))
            case .approveByCommanderRequiredOne: return (1, [], .approve(F.c, at: now))
            case .approveByGroupCommanderRequiredOne: return (1, [], .approve(F.g, at: now))
            case .approveByIneligible: return (1, [], .approve(F.viewer, at: now))
            case .approveByStranger: return (1, [], .approve(F.stranger, at: now))
            case .approveByAlreadyVotedA: return (2, ["U0A"], .approve(F.a, at: now))
            case .denyByRequester: return (2, ["U0A"], .deny(F.requester, at: now))
            case .denyByEligible: return (2, ["U0A"], .deny(F.b, at: now))
            case .denyByAlreadyVotedA: return (2, ["U0A"], .deny(F.a, at: now))
            case .denyByIneligible: return (2, ["U0A"], .deny(F.viewer, at: now))
            case .cancelByRequester: return (2, ["U0A"], .cancel(F.requester, at: now))
            case .cancelByOther: return (2, ["U0A"], .cancel(F.a, at: now))
            case .tickBeforeExpiry: return (2, ["U0A"], .tick(at: F.expiresAt - 1))
            case .tickAtExpiry: return (2, ["U0A"], .tick(at: late))
            case .planMatches: return (2, ["U0A", "U0B"], .planChecked(matches: true, difference: ""))
            case .planChanged:
                return (2, ["U0A", "U0B"], .planChecked(matches: false, difference: ApprovalMachineTableTests.difference))
            case .executionSucceeded: return (2, ["U0A", "U0B"], .executionFinished(success: true))
            case .executionFailed: return (2, ["U0A", "U0B"], .executionFinished(success: false))
            case .interruptedByRestart: return (2, ["U0A", "U0B"], .interruptedByRestart)
            case .approveAfterExpiry: return (2, ["U0A"], .approve(F.b, at: late))
            case .approveByRequesterAfterExpiry: return (2, ["U0A"], .approve(F.requester, at: late))
            case .denyAfterExpiry: return (2, ["U0A"], .deny(F.b, at: late))
            case .denyByIneligibleAfterExpiry: return (2, ["U0A"], .deny(F.viewer, at: late))
            case .denyByRequesterAfterExpiry: return (2, ["U0A"], .deny(F.requester, at: late))
            case .cancelByRequesterAfterExpiry: return (2, ["U0A"], .cancel(F.requester, at: late))
            case .cancelByOtherAfterExpiry: return (2, ["U0A"], .cancel(F.a, at: late))
            }
        }

        var event: Event { setup.event }
    }

    /// What must come out: the next request is the input with exactly these changes.
    struct Expectation {
        var state: State?
        var addedVote: String?
        var decidedBy: String?
        var actions: [ApprovalActionShape]
        /// Fragments that must appear in the texts of the actions (refusals, announcements, differences).
        var texts: [String] = []
        /// Only for the plan-changed row: the exact action list.
        var exact: [ApprovalMachine.Action]?

        static func unchanged(_ actions: [ApprovalActionShape] = [], texts: [String] = []) -> Self {
            Self(state: nil, actions: actions, texts: texts)
        }
        static func refused(_ texts: String...) -> Self { .unchanged([.refuse], texts: texts) }
        static func becomes(_ state: State, _ actions: [ApprovalActionShape], addedVote: String? = nil,
                            decidedBy: String? = nil, texts: [String] = []) -> Self {
            Self(state: state, addedVote: addedVote, decidedBy: decidedBy, actions: actions, texts: texts)
        }
        /// A late event on a pending request: it expires, whoever clicked.
        static var expiresNow: Self { .becomes(.expired, [.persist, .announce], texts: ["expired", "nothing was done"]) }
    }

    static func expectation(_ state: State, _ kind: Kind) -> Expectation {
        switch state {
        case .pending: return pending(kind)
        case .verifying: return verifying(kind)
        case .executing: return executing(kind)
        case .executed, .failed, .denied, .cancelled, .expired, .voided:
            // Final: clicks are told it is over, everything else is ignored; nothing ever changes or runs.
            return kind.isClick ? .refused("already \(state.rawValue)") : .unchanged()
        }
    }

    static func pending(_ kind: Kind) -> Expectation {
        switch kind {
        case .approveByRequester, .approveByRequesterViaGroup: return .refused("cannot approve your own request")
        case .approveByEligibleA: return .becomes(.pending, [.persist], addedVote: "U0A")
        case .approveByEligibleBCompleting: return .becomes(.verifying, [.persist, .verifyPlan], addedVote: "U0B")
        case .approveByCommanderRequiredOne: return .becomes(.verifying, [.persist, .verifyPlan], addedVote: "U0C")
        case .approveByGroupCommanderRequiredOne: return .becomes(.verifying, [.persist, .verifyPlan], addedVote: "U0G")
        case .approveByIneligible, .approveByStranger: return .refused("`operator` or `commander`")
        case .approveByAlreadyVotedA: return .refused("already counted")
        case .denyByRequester, .cancelByRequester:
            return .becomes(.cancelled, [.persist, .announce], decidedBy: "U0REQ", texts: ["cancelled by the requester"])
        case .denyByEligible: return .becomes(.denied, [.persist, .announce], decidedBy: "U0B", texts: ["denied by <@U0B>"])
        case .denyByAlreadyVotedA: return .becomes(.denied, [.persist, .announce], decidedBy: "U0A", texts: ["denied by <@U0A>"])
        case .denyByIneligible: return .refused("`operator` or `commander`")
        case .cancelByOther: return .refused("Only the requester <@U0REQ>")
        case .tickBeforeExpiry: return .unchanged()
        case .tickAtExpiry: return .expiresNow
        case .planMatches, .planChanged, .executionSucceeded, .executionFailed, .interruptedByRestart:
            return .unchanged()  // nothing was asked to verify or run yet
        case .approveAfterExpiry, .approveByRequesterAfterExpiry:
            return .becomes(.expired, [.refuse, .persist, .announce], texts: ["has expired", "nothing was done"])
        case .denyAfterExpiry, .denyByIneligibleAfterExpiry, .denyByRequesterAfterExpiry,
             .cancelByRequesterAfterExpiry, .cancelByOtherAfterExpiry:
            // "After expiry, clicks → expired": the outcome must not depend on whether the sweeper ran first.
            return .expiresNow
        }
    }

    static func verifying(_ kind: Kind) -> Expectation {
        if kind.isClick { return .refused("already verifying") }
        switch kind {
        case .planMatches: return .becomes(.executing, [.persist, .execute])
        case .planChanged:
            var e = Expectation.becomes(.voided, [.persist, .announce, .requestAgain], texts: ["void", difference])
            e.exact = [.persist, .announce("void: the plan changed since it was approved (\(difference)); nothing was done"),
                       .requestAgain(difference: difference)]
            return e
        case .interruptedByRestart: return .unchanged([.verifyPlan])  // nothing ran yet: measure again
        default: return .unchanged()  // ticks (approvals were in on time) and stray execution results
        }
    }

    static func executing(_ kind: Kind) -> Expectation {
        if kind.isClick { return .refused("already executing") }
        switch kind {
        case .executionSucceeded: return .becomes(.executed, [.persist])
        case .executionFailed: return .becomes(.failed, [.persist])
        case .interruptedByRestart: return .becomes(.failed, [.persist, .announce], texts: ["interrupted", "unknown"])
        default: return .unchanged()  // a second plan check must never run it twice
        }
    }

    @Test("every state × every event", arguments: State.allCases, Kind.allCases)
    func row(_ state: State, _ kind: Kind) {
        let (required, votes, event) = kind.setup
        let input = F.request(required: required, state: state, votes: votes)
        let expected = Self.expectation(state, kind)

        let (next, actions) = ApprovalMachine.handle(event, input, policy: F.policy)

        var want = input
        if let s = expected.state { want.state = s }
        if let user = expected.addedVote { want.approvals.append(.init(user: user, at: Self.now)) }
        if let who = expected.decidedBy { want.decidedBy = who }
        #expect(next == want, "\(state) + \(kind): next request")
        #expect(actions.map(\.shape) == expected.actions, "\(state) + \(kind): actions were \(actions)")
        let words = actions.compactMap(\.text).joined(separator: " | ")
        for fragment in expected.texts {
            #expect(words.contains(fragment), "\(state) + \(kind): \"\(fragment)\" not in \(words)")
        }
        if let exact = expected.exact { #expect(actions == exact) }

        // Cross-cutting rules, whatever the row says.
        #expect(actions.filter { $0 == .execute }.count <= 1)
        if state.isFinal {
            #expect(next == input, "final state \(state) changed")
            #expect(!actions.contains(.execute) && !actions.contains(.persist) && !actions.contains(.verifyPlan))
        }
        if actions.contains(.execute) { #expect(state == .verifying && next.state == .executing) }
        #expect(actions.contains(.persist) == (next != input), "persist exactly when the request changed")
        if actions.count == 1, case .refuse = actions[0] { #expect(next == input, "a refusal changed the request") }
    }

    @Test("approvals from A then B (required 2) lead to verifying, a matching plan to one execute, then executed")
    func happyPath() {
        var r = F.request(required: 2)
        var all: [ApprovalMachine.Action] = []
        for event: Event in [.approve(F.a, at: 10), .approve(F.requester, at: 11), .approve(F.a, at: 12),
                             .approve(F.viewer, at: 13), .approve(F.c, at: 14), .interruptedByRestart,
                             .planChecked(matches: true, difference: ""), .planChecked(matches: true, difference: ""),
                             .approve(F.b, at: 15), .executionFinished(success: true), .interruptedByRestart] {
            let (next, actions) = ApprovalMachine.handle(event, r, policy: F.policy)
            r = next
            all += actions
        }
        #expect(r.state == .executed)
        #expect(r.approvals == [.init(user: "U0A", at: 10), .init(user: "U0C", at: 14)])
        #expect(all.filter { $0 == .execute }.count == 1)
        #expect(all.filter { $0 == .verifyPlan }.count == 2)  // once after the last approval, once after the restart
    }

    @Test("three approvals required: two are not enough, the third distinct approver completes it")
    func threeRequired() {
        var r = F.request(required: 3)
        for who in [F.a, F.b] {
            let (next, actions) = ApprovalMachine.handle(.approve(who, at: 100), r, policy: F.policy)
            #expect(actions == [.persist])
            #expect(next.state == .pending)
            r = next
        }
        let (next, actions) = ApprovalMachine.handle(.approve(F.g, at: 200), r, policy: F.policy)
        #expect(actions == [.persist, .verifyPlan])
        #expect(next.state == .verifying)
        #expect(next.approvals.map(\.user) == ["U0A", "U0B", "U0G"])
    }

    @Test("eligibility follows the request's approver roles, not the requester's own rights")
    func approverRolesOfTheRequest() {
        let commandersOnly = F.request(required: 1, approverRoles: ["commander"])
        let (_, byOperator) = ApprovalMachine.handle(.approve(F.a, at: 10), commandersOnly, policy: F.policy)
        #expect(byOperator == [.refuse("Only members of `commander` may decide this request.")])
        let (_, denyByOperator) = ApprovalMachine.handle(.deny(F.a, at: 10), commandersOnly, policy: F.policy)
        #expect(denyByOperator.map(\.shape) == [.refuse])
        let (next, byCommander) = ApprovalMachine.handle(.approve(F.c, at: 10), commandersOnly, policy: F.policy)
        #expect(byCommander == [.persist, .verifyPlan])
        #expect(next.state == .verifying)

        let (_, underDenyAll) = ApprovalMachine.handle(.approve(F.c, at: 10), commandersOnly, policy: .denyAll)
        #expect(underDenyAll.map(\.shape) == [.refuse])
    }
}
