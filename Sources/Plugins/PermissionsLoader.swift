import BotCore
import Yams

/// Where a command glob was written in permissions.yaml, so `hybridbot check` can warn about globs that match nothing.
package struct GlobReference: Sendable, Equatable {
    package let glob: String
    package let line: Int
    /// `grants`, `approvals` or `channels`.
    package let section: String

    package init(glob: String, line: Int, section: String) {
        self.glob = glob
        self.line = line
        self.section = section
    }
}

package struct PermissionsLoadResult: Sendable {
    /// Nil when there is any problem: the bot must not run with a half-understood policy.
    package let policy: PermissionPolicy?
    package let problems: [LoadProblem]
    package let globLines: [GlobReference]

    package init(policy: PermissionPolicy?, problems: [LoadProblem], globLines: [GlobReference]) {
        self.policy = policy
        self.problems = problems
        self.globLines = globLines
    }
}

/// Loads and validates permissions.yaml. Default deny; every mistake is a `permissions.yaml:LINE: message` problem.
package enum PermissionsLoader {
    static let keys = ["roles", "grants", "approvals", "channels", "identities", "break_glass"]
    static let requiredKeys = ["roles", "grants"]

    package static func load(path: String) -> PermissionsLoadResult {
        switch YAMLSource.read(path: path) {
        case .success(let text): parse(text, file: path)
        case .failure(let problem): PermissionsLoadResult(policy: nil, problems: [problem], globLines: [])
        }
    }

    /// Validates permissions.yaml text; `file` is only used in problems.
    package static func parse(_ text: String, file: String) -> PermissionsLoadResult {
        let root: Node
        switch YAMLSource.compose(text, file: file) {
        case .success(let node): root = node
        case .failure(let problem): return PermissionsLoadResult(policy: nil, problems: [problem], globLines: [])
        }
        let reader = NodeReader(file: file)
        guard let fields = reader.fields(root, in: "permissions.yaml", allowed: keys, required: requiredKeys) else {
            return PermissionsLoadResult(policy: nil, problems: reader.problems, globLines: [])
        }
        let sections = PermissionsSections(reader: reader)
        let roles = fields["roles"].flatMap(sections.roles)
        let rules = PermissionsRules(reader: reader, knownRoles: fields["roles"].flatMap(sections.roleNames))
        let grants = fields["grants"].flatMap(rules.grants)
        let approvals = fields["approvals"].map(rules.approvals) ?? []
        let channels = fields["channels"].map(rules.channels) ?? []
        let identities = fields["identities"].map(sections.identities) ?? [:]
        let breakGlass = fields["break_glass"].map { sections.breakGlass($0, rules: rules) } ?? []
        guard reader.problems.isEmpty, let roles, let grants, let approvals, let channels, let identities, let breakGlass else {
            return PermissionsLoadResult(policy: nil, problems: reader.problems, globLines: rules.globLines)
        }
        let policy = PermissionPolicy(
            roles: roles, grants: grants, approvals: approvals, channels: channels,
            identities: identities, breakGlassRoles: breakGlass
        )
        return PermissionsLoadResult(policy: policy, problems: [], globLines: rules.globLines)
    }
}
