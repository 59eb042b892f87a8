import BotCore

/// Checks that need both the plugins and permissions.yaml: what `hybridbot check` and startup run last.
package enum ConfigurationCheck {
    /// Problems (startup must fail): a destructive command with no approval rule, reported at the command.
    /// Warnings (reported, not fatal): a glob in permissions.yaml that matches no loaded command nor built-in —
    /// permissions.yaml may well mention commands of plugins not installed yet.
    ///
    /// Pass `globLines` from `PermissionsLoadResult` to get each warning at its line; without them the globs are
    /// taken from the policy and reported at line 0.
    package static func crossCheck(
        table: CommandTable, policy: PermissionPolicy, permissionsFile: String, globLines: [GlobReference]? = nil
    ) -> (problems: [LoadProblem], warnings: [LoadProblem]) {
        let shownFile = LoadProblem.displayPath(permissionsFile)
        let problems = table.commands.filter { $0.destructive && policy.approvalRule(for: $0.path) == nil }.map { spec in
            LoadProblem(
                file: spec.location.file, line: spec.location.line,
                message: "command '\(spec.path)' is destructive and has no approval rule in \(shownFile)")
        }
        let paths = table.allPaths
        let warnings = (globLines ?? globs(of: policy))
            .filter { reference in !paths.contains { CommandGlob(reference.glob).matches($0) } }
            .map { reference in
                LoadProblem(
                    file: shownFile, line: reference.line,
                    message: "'\(reference.glob)' in \(reference.section) matches no loaded command")
            }
        return (problems, warnings)
    }

    private static func globs(of policy: PermissionPolicy) -> [GlobReference] {
        policy.grants.flatMap { $0.allow.map { GlobReference(glob: $0.source, line: 0, section: "grants") } }
            + policy.approvals.flatMap { $0.commands.map { GlobReference(glob: $0.source, line: 0, section: "approvals") } }
            + policy.channels.flatMap { $0.commands.map { GlobReference(glob: $0.source, line: 0, section: "channels") } }
    }
}
