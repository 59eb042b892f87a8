/// Who someone is, as far as permissions go: the Slack user id from a verified request and their user groups.
package struct Requester: Sendable, Equatable {
    package let userID: String
    package let groups: Set<String>
    package init(userID: String, groups: Set<String> = []) {
        self.userID = userID
        self.groups = groups
    }
}

package struct Role: Sendable, Equatable {
    package let name: String
    package let users: Set<String>
    package let everyone: Bool
    package let groups: Set<String>

    package init(name: String, users: Set<String>, groups: Set<String> = []) {
        self.name = name
        self.everyone = users.contains("*")
        self.users = users.subtracting(["*"])
        self.groups = groups
    }

    package func includes(_ requester: Requester) -> Bool {
        everyone || users.contains(requester.userID) || !groups.isDisjoint(with: requester.groups)
    }
}

package struct Grant: Sendable, Equatable {
    package let roles: [String]
    package let allow: [CommandGlob]
    package init(roles: [String], allow: [CommandGlob]) { self.roles = roles; self.allow = allow }
}

package struct ApprovalRule: Sendable, Equatable {
    package let commands: [CommandGlob]
    package let approvers: [String]
    package let required: Int
    package let expiresAfter: Duration
    package init(commands: [CommandGlob], approvers: [String], required: Int, expiresAfter: Duration) {
        self.commands = commands
        self.approvers = approvers
        self.required = required
        self.expiresAfter = expiresAfter
    }
}

package struct ChannelRule: Sendable, Equatable {
    package let commands: [CommandGlob]
    package let onlyIn: Set<String>
    package init(commands: [CommandGlob], onlyIn: Set<String>) { self.commands = commands; self.onlyIn = onlyIn }
}

/// The permissions.yaml model and the decisions it makes. Default deny.
package struct PermissionPolicy: Sendable, Equatable {
    package let roles: [String: Role]
    package let grants: [Grant]
    package let approvals: [ApprovalRule]
    package let channels: [ChannelRule]
    package let identities: [String: String]
    package let breakGlassRoles: [String]

    package init(
        roles: [String: Role], grants: [Grant], approvals: [ApprovalRule] = [], channels: [ChannelRule] = [],
        identities: [String: String] = [:], breakGlassRoles: [String] = []
    ) {
        self.roles = roles
        self.grants = grants
        self.approvals = approvals
        self.channels = channels
        self.identities = identities
        self.breakGlassRoles = breakGlassRoles
    }

    /// A policy that allows nothing but the built-ins: what the bot runs with when permissions.yaml is broken.
    package static let denyAll = PermissionPolicy(roles: [:], grants: [])

    package func roles(of requester: Requester) -> [String] {
        roles.values.filter { $0.includes(requester) }.map(\.name).sorted()
    }

    package enum Decision: Sendable, Equatable {
        case allow
        case deny(reason: String)
    }

    /// May this person run the command at `path` in this channel?
    package func decide(_ requester: Requester, path: String, channel: String) -> Decision {
        if CommandTable.builtinPaths.contains(path) { return .allow }
        let mine = Set(roles(of: requester))
        let granted = grants.contains { grant in
            !mine.isDisjoint(with: grant.roles) && grant.allow.contains { $0.matches(path) }
        }
        guard granted else {
            return .deny(reason: "You are not allowed to run `\(path)`. Ask an admin to grant it to one of your roles in permissions.yaml.")
        }
        for rule in channels where rule.commands.contains(where: { $0.matches(path) }) && !rule.onlyIn.contains(channel) {
            let places = rule.onlyIn.sorted().map { "<#\($0)>" }.joined(separator: ", ")
            return .deny(reason: "`\(path)` may only be run in \(places).")
        }
        return .allow
    }

    /// May this person run a destructive command without approval (with a reason)?
    package func mayBreakGlass(_ requester: Requester) -> Bool {
        !Set(roles(of: requester)).isDisjoint(with: breakGlassRoles)
    }

    /// The rule for a destructive command. When several match, the strictest wins (most approvals, then the shortest
    /// expiry, then the first written): a broad rule placed earlier never weakens a stricter one.
    package func approvalRule(for path: String) -> ApprovalRule? {
        let matching = approvals.filter { $0.commands.contains { $0.matches(path) } }
        guard var strictest = matching.first else { return nil }
        for rule in matching.dropFirst()
        where rule.required > strictest.required || (rule.required == strictest.required && rule.expiresAfter < strictest.expiresAfter) {
            strictest = rule
        }
        return strictest
    }

    /// Roles of this person allowed to approve the command at `path`.
    package func mayApprove(_ requester: Requester, path: String) -> Bool {
        guard let rule = approvalRule(for: path) else { return false }
        return !Set(roles(of: requester)).isDisjoint(with: rule.approvers)
    }
}
