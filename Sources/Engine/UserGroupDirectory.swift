import Logging
import Slack

/// Which Slack user groups a user belongs to, for `groups:` in permissions.yaml.
package protocol UserGroupDirectory: Sendable {
    func groups(of userID: String) async -> Set<String>
}

/// No Slack bot token: nobody is in any group (roles then grant through `users:` only).
package struct NoUserGroups: UserGroupDirectory {
    package init() {}
    package func groups(of userID: String) async -> Set<String> { [] }
}

/// Slack's `usergroups.list`, cached for a few minutes; on failure the last good answer stays (or none: fail closed).
package actor SlackUserGroupDirectory: UserGroupDirectory {
    private let api: SlackWebAPI
    private let maxAge: Duration
    private let logger: Logger
    private var membership: [String: Set<String>] = [:]
    private var fetchedAt: ContinuousClock.Instant?
    private var lastSuccess: ContinuousClock.Instant?
    private var refreshing: Task<Void, Never>?

    package init(api: SlackWebAPI, maxAge: Duration = .seconds(300), logger: Logger) {
        self.api = api
        self.maxAge = maxAge
        self.logger = logger
    }

    package func groups(of userID: String) async -> Set<String> {
        if fetchedAt.map({ ContinuousClock.now - $0 > maxAge }) ?? true { await refresh() }
        return membership[userID] ?? []
    }

    private func refresh() async {
        if let refreshing { return await refreshing.value }
        let task = Task { await self.load() }
        refreshing = task
        await task.value
        refreshing = nil
    }

    private func load() async {
        do {
            let groups = try await api.userGroups()
            var byUser: [String: Set<String>] = [:]
            for (group, users) in groups { for user in users { byUser[user, default: []].insert(group) } }
            membership = byUser
            fetchedAt = .now
            lastSuccess = .now
        } catch {
            logger.warning("could not load Slack user groups; group-based roles use the last known membership", metadata: ["error": "\(error)"])
            // Fail closed: membership older than three refresh periods is dropped (a revoked token must not keep roles).
            if let lastSuccess, ContinuousClock.now - lastSuccess > maxAge * 3 { membership = [:] }
            // Retry at the next command after a short pause rather than hammering Slack.
            fetchedAt = ContinuousClock.now - maxAge + .seconds(30)
        }
    }
}
