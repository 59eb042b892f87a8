import BotCore
import Yams

/// The `grants`, `approvals` and `channels` sections of permissions.yaml: lists of rules over command globs.
final class PermissionsRules {
    let reader: NodeReader
    /// Nil when the roles section is itself broken: role references are then not checked.
    let knownRoles: Set<String>?
    private(set) var globLines: [GlobReference] = []

    init(reader: NodeReader, knownRoles: Set<String>?) {
        self.reader = reader
        self.knownRoles = knownRoles
    }

    /// `grants: [{roles: [..], allow: [globs]}]`.
    func grants(_ node: Node) -> [Grant]? {
        rules(node, "grants") { item in
            guard let fields = self.reader.fields(item, in: "grant", allowed: ["roles", "allow"], required: ["roles", "allow"]) else {
                return nil
            }
            let roles = fields["roles"].flatMap { self.roleNames($0, "roles") }
            let allow = fields["allow"].flatMap { self.globs($0, "allow", section: "grants") }
            if roles?.isEmpty == true { self.reader.report(fields.keyLine("roles"), "grant has no roles") }
            if allow?.isEmpty == true { self.reader.report(fields.keyLine("allow"), "grant allows nothing (empty allow list)") }
            guard let roles, let allow, !roles.isEmpty, !allow.isEmpty else { return nil }
            return Grant(roles: roles, allow: allow)
        }
    }

    /// `approvals: [{commands: [globs], approvers: [roles], required: N, expires_after: 15m}]`.
    func approvals(_ node: Node) -> [ApprovalRule]? {
        let keys = ["commands", "approvers", "required", "expires_after"]
        return rules(node, "approvals") { item in
            guard let fields = self.reader.fields(item, in: "approval rule", allowed: keys, required: keys) else { return nil }
            let commands = fields["commands"].flatMap { self.nonEmpty(self.globs($0, "commands", section: "approvals"), $0, "commands") }
            let approvers = fields["approvers"].flatMap { self.nonEmpty(self.roleNames($0, "approvers"), $0, "approvers") }
            var required = fields["required"].flatMap { self.reader.int($0, "required") }
            if let count = required, count < 1, let node = fields["required"] {
                self.reader.report(node, "'required' must be at least 1 (got \(count))")
                required = nil
            }
            let expiry = fields["expires_after"].flatMap(self.duration)
            guard let commands, let approvers, let required, let expiry else { return nil }
            return ApprovalRule(commands: commands, approvers: approvers, required: required, expiresAfter: expiry)
        }
    }

    /// `channels: [{commands: [globs], only_in: [C…]}]`.
    func channels(_ node: Node) -> [ChannelRule]? {
        rules(node, "channels") { item in
            let keys = ["commands", "only_in"]
            guard let fields = self.reader.fields(item, in: "channel rule", allowed: keys, required: keys) else { return nil }
            let commands = fields["commands"].flatMap { self.nonEmpty(self.globs($0, "commands", section: "channels"), $0, "commands") }
            let channels = fields["only_in"].flatMap { node -> [String]? in
                guard let items = self.reader.strings(node, "only_in") else { return nil }
                let bad = items.filter { !PermissionsFormats.isChannelID($0.value) }
                for item in bad { self.reader.report(item.line, "'\(item.value)' is not a Slack channel id (C…, G… or D…)") }
                return bad.isEmpty ? self.nonEmpty(items.map(\.value), node, "only_in") : nil
            }
            guard let commands, let channels else { return nil }
            return ChannelRule(commands: commands, onlyIn: Set(channels))
        }
    }

    /// Role names, each of which must be defined under `roles`.
    func roleNames(_ node: Node, _ what: String) -> [String]? {
        guard let items = reader.strings(node, what) else { return nil }
        var ok = true
        if let knownRoles {
            for item in items where !knownRoles.contains(item.value) {
                reader.report(item.line, "unknown role '\(item.value)' (roles: \(NodeReader.list(knownRoles.sorted())))")
                ok = false
            }
        }
        return ok ? items.map(\.value) : nil
    }

    private func globs(_ node: Node, _ what: String, section: String) -> [CommandGlob]? {
        guard let items = reader.strings(node, what) else { return nil }
        var ok = true
        for item in items {
            guard PermissionsFormats.isGlob(item.value) else {
                reader.report(item.line, "'\(item.value)' is not a command glob: command words and '*', e.g. 'scale *'")
                ok = false
                continue
            }
            globLines.append(GlobReference(glob: item.value, line: item.line, section: section))
        }
        return ok ? items.map { CommandGlob($0.value) } : nil
    }

    private func duration(_ node: Node) -> Duration? {
        guard let text = reader.string(node, "expires_after") else { return nil }
        guard let duration = PermissionsFormats.duration(text) else {
            reader.report(node, "expires_after '\(text)' is not a duration like 30s, 15m, 1h or 2h30m")
            return nil
        }
        return duration
    }

    private func nonEmpty<T>(_ items: [T]?, _ node: Node, _ what: String) -> [T]? {
        guard let items else { return nil }
        guard !items.isEmpty else {
            reader.report(node, "'\(what)' must not be empty")
            return nil
        }
        return items
    }

    /// A list section: each item read by `read`; nil if any item failed.
    private func rules<T>(_ node: Node, _ what: String, read: (Node) -> T?) -> [T]? {
        if node.isNull { return [] }
        guard let items = reader.sequence(node, what) else { return nil }
        let rules = items.map(read)
        return rules.contains { $0 == nil } ? nil : rules.compactMap { $0 }
    }
}
