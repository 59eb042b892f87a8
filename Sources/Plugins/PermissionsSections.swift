import BotCore
import Yams

/// The `roles`, `identities` and `break_glass` sections of permissions.yaml.
struct PermissionsSections {
    let reader: NodeReader

    /// The names declared under `roles`, even those whose definition is broken (so references to them are not reported too).
    func roleNames(_ node: Node) -> Set<String>? {
        guard case .mapping(let mapping) = node else { return nil }
        return Set(mapping.keys.compactMap(reader.scalarText))
    }

    /// `roles: {name: {users: [U… | "*"], groups: [S…]}}`.
    func roles(_ node: Node) -> [String: Role]? {
        guard let entries = reader.entries(node, in: "roles") else { return nil }
        var roles: [String: Role] = [:]
        for (name, key, value) in entries {
            guard PermissionsFormats.isRoleName(name) else {
                reader.report(key, "role name '\(name)' may only contain letters, digits, '-' and '_'")
                continue
            }
            if value.isNull {
                roles[name] = Role(name: name, users: [])
                continue
            }
            guard let fields = reader.fields(value, in: "role '\(name)'", allowed: ["users", "groups"]) else { continue }
            let users = ids(fields["users"], "users") {
                $0 == "*" || PermissionsFormats.isUserID($0) ? nil : "'\($0)' is not a Slack user id (U… or W…) or \"*\""
            }
            let groups = ids(fields["groups"], "groups") {
                PermissionsFormats.isGroupID($0) ? nil : "'\($0)' is not a Slack user group id (S…)"
            }
            if let users, let groups { roles[name] = Role(name: name, users: users, groups: groups) }
        }
        return roles
    }

    /// `identities: {U…: email}`.
    func identities(_ node: Node) -> [String: String]? {
        if node.isNull { return [:] }
        guard let entries = reader.entries(node, in: "identities") else { return nil }
        var identities: [String: String] = [:]
        for (user, key, value) in entries {
            if !PermissionsFormats.isUserID(user) {
                reader.report(key, "'\(user)' is not a Slack user id (U… or W…)")
            }
            guard let email = reader.string(value, "identities.\(user)") else { continue }
            if PermissionsFormats.isEmail(email) {
                identities[user] = email
            } else {
                reader.report(value, "identity of \(user) must be an email address (got '\(email)')")
            }
        }
        return identities
    }

    /// `break_glass: {roles: [names]}`.
    func breakGlass(_ node: Node, rules: PermissionsRules) -> [String]? {
        guard let fields = reader.fields(node, in: "break_glass", allowed: ["roles"], required: ["roles"]),
              let list = fields["roles"]
        else { return nil }
        return rules.roleNames(list, "break_glass.roles")
    }

    /// A list of ids, each checked by `problem` (nil when fine); absent means empty.
    private func ids(_ node: Node?, _ what: String, problem: (String) -> String?) -> Set<String>? {
        guard let node else { return [] }
        if node.isNull { return [] }
        guard let items = reader.strings(node, what) else { return nil }
        var ok = true
        for item in items {
            if let message = problem(item.value) { reader.report(item.line, message); ok = false }
        }
        return ok ? Set(items.map(\.value)) : nil
    }
}
