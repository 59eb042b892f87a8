/// Runs work for one incident at a time (webhooks of one incident are processed concurrently by the core, and the
/// first one must store the Slack message's ts before the next one updates it). Different incidents do not wait.
actor IncidentLocks {
    private var tails: [String: Task<Void, Never>] = [:]

    func run(_ key: String, _ work: @escaping @Sendable () async -> Void) async {
        let previous = tails[key]
        let task = Task {
            await previous?.value
            await work()
        }
        tails[key] = task
        await task.value
        if tails[key] == task { tails[key] = nil }
    }
}
