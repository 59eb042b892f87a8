/// The approval lifecycle as an I/O-free state machine: each event returns the next request and what to do.
///
/// The runner persists the request after every change (in the same transaction as its audit record)
/// and performs the actions; the machine alone decides who may do what and when.
package enum ApprovalMachine {
    package enum Event: Sendable, Equatable {
        case approve(Requester, at: Int64)
        case deny(Requester, at: Int64)
        case cancel(Requester, at: Int64)
        /// Time passed (the expiry sweeper, or any click).
        case tick(at: Int64)
        /// The preview was measured again after the last approval.
        case planChecked(matches: Bool, difference: String)
        case executionFinished(success: Bool)
        /// The bot restarted and found the request mid-execution: its effect is unknown, it is never re-run.
        case interruptedByRestart
    }

    package enum Action: Sendable, Equatable {
        /// Tell only the clicker why nothing changed.
        case refuse(String)
        /// The request changed: store it and update its message.
        case persist
        /// Measure the preview again and compare with the approved plan.
        case verifyPlan
        /// Run the plan, once.
        case execute
        /// The request ended without running; say why in the thread.
        case announce(String)
        /// The plan changed: ask for a new approval with the new preview.
        case requestAgain(difference: String)
    }

    package static func handle(
        _ event: Event, _ request: ApprovalRequest, policy: PermissionPolicy
    ) -> (ApprovalRequest, [Action]) {
        var next = request
        switch (request.state, event) {
        case (.pending, .tick(let now)) where now >= request.expiresAt:
            next.state = .expired
            return (next, [.persist, .announce("expired before it got \(request.required) approval(s); nothing was done")])
        case (.pending, .tick):
            return (request, [])

        case (.pending, .approve(let who, let now)):
            if now >= request.expiresAt {
                next.state = .expired
                return (next, [.refuse("This request has expired; nothing was done. Ask for a new one."), .persist,
                               .announce("expired before it got \(request.required) approval(s); nothing was done")])
            }
            if who.userID == request.requester { return (request, [.refuse("You cannot approve your own request.")]) }
            guard isEligible(who, request, policy) else { return (request, [.refuse(notEligible(request))]) }
            if request.approvals.contains(where: { $0.user == who.userID }) {
                return (request, [.refuse("Your approval is already counted; another approver is needed.")])
            }
            next.approvals.append(.init(user: who.userID, at: now))
            if next.approvals.count >= request.required {
                next.state = .verifying
                return (next, [.persist, .verifyPlan])
            }
            return (next, [.persist])

        case (.pending, .deny(let who, let now)):
            if now >= request.expiresAt { return handle(.tick(at: now), request, policy: policy) }
            if who.userID == request.requester { return handle(.cancel(who, at: now), request, policy: policy) }
            guard isEligible(who, request, policy) else { return (request, [.refuse(notEligible(request))]) }
            next.state = .denied
            next.decidedBy = who.userID
            return (next, [.persist, .announce("denied by <@\(who.userID)>; nothing was done")])

        case (.pending, .cancel(let who, let now)):
            if now >= request.expiresAt { return handle(.tick(at: now), request, policy: policy) }
            guard who.userID == request.requester else {
                return (request, [.refuse("Only the requester <@\(request.requester)> can cancel this request.")])
            }
            next.state = .cancelled
            next.decidedBy = who.userID
            return (next, [.persist, .announce("cancelled by the requester; nothing was done")])

        case (.verifying, .planChecked(let matches, let difference)):
            if matches {
                next.state = .executing
                return (next, [.persist, .execute])
            }
            next.state = .voided
            return (next, [.persist, .announce("void: the plan changed since it was approved (\(difference)); nothing was done"),
                           .requestAgain(difference: difference)])

        case (.executing, .executionFinished(let success)):
            next.state = success ? .executed : .failed
            return (next, [.persist])

        case (.verifying, .interruptedByRestart):
            // Nothing ran yet: checking the plan again is safe.
            return (request, [.verifyPlan])
        case (.executing, .interruptedByRestart):
            next.state = .failed
            return (next, [.persist, .announce("interrupted: the bot stopped while running it; its effect is unknown — check the state before asking again")])

        case (_, .approve), (_, .deny), (_, .cancel):
            return (request, [.refuse("This request is already \(request.state.rawValue); nothing more can be decided.")])
        default:
            return (request, [])
        }
    }

    static func isEligible(_ who: Requester, _ request: ApprovalRequest, _ policy: PermissionPolicy) -> Bool {
        !Set(policy.roles(of: who)).isDisjoint(with: request.approverRoles)
    }

    static func notEligible(_ request: ApprovalRequest) -> String {
        "Only members of \(request.approverRoles.map { "`\($0)`" }.joined(separator: " or ")) may decide this request."
    }
}
