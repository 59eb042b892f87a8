import BotCore

/// People, policy and requests shared by the approval tests.
///
/// Roles: operator {U0REQ, U0A, U0B}, commander {U0C, and the S0ONCALL user group}, viewer {U0X}.
/// The requester is an operator: eligible by role, yet never allowed to approve their own request.
enum ApprovalFixtures {
    static let requester = Requester(userID: "U0REQ")
    /// The requester again, this time also a commander through a user group: still the requester.
    static let requesterOnCall = Requester(userID: "U0REQ", groups: ["S0ONCALL"])
    static let a = Requester(userID: "U0A")
    static let b = Requester(userID: "U0B")
    static let c = Requester(userID: "U0C")
    /// A commander only through the S0ONCALL user group.
    static let g = Requester(userID: "U0G", groups: ["S0ONCALL"])
    static let viewer = Requester(userID: "U0X")
    static let stranger = Requester(userID: "U0S")

    static let everyone: [Requester] = [requester, requesterOnCall, a, b, c, g, viewer, stranger]

    static let policy = PermissionPolicy(
        roles: [
            "operator": Role(name: "operator", users: ["U0REQ", "U0A", "U0B"]),
            "commander": Role(name: "commander", users: ["U0C"], groups: ["S0ONCALL"]),
            "viewer": Role(name: "viewer", users: ["U0X"]),
        ],
        grants: []
    )

    static let createdAt: Int64 = 0
    static let expiresAt: Int64 = 600_000

    static func request(
        required: Int = 2, state: ApprovalRequest.State = .pending, votes: [String] = [],
        approverRoles: [String] = ["operator", "commander"]
    ) -> ApprovalRequest {
        var request = ApprovalRequest(
            id: "a1", requester: "U0REQ", channel: "C0OPS", command: "cache flush", path: "cache flush",
            planHash: "b97e64636ea3", approverRoles: approverRoles, required: required,
            createdAt: createdAt, expiresAt: expiresAt
        )
        request.approvals = votes.map { ApprovalRequest.Vote(user: $0, at: 500) }
        request.state = state
        return request
    }
}

/// The kind of an action, without its text.
enum ApprovalActionShape: String, Sendable, Equatable, CustomStringConvertible {
    case refuse, persist, verifyPlan, execute, announce, requestAgain
    var description: String { rawValue }
}

extension ApprovalMachine.Action {
    var shape: ApprovalActionShape {
        switch self {
        case .refuse: .refuse
        case .persist: .persist
        case .verifyPlan: .verifyPlan
        case .execute: .execute
        case .announce: .announce
        case .requestAgain: .requestAgain
        }
    }

    /// The words the action shows to people, if any.
    var text: String? {
        switch self {
        case .refuse(let s), .announce(let s): s
        case .requestAgain(let difference): difference
        case .persist, .verifyPlan, .execute: nil
        }
    }
}
