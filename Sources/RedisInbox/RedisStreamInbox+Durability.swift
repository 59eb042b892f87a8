import RedisDriver

extension RedisStreamInbox {
    /// The settings an inbox needs for "stored" to mean "survives a crash" (see the type's doc), and why.
    static let requiredSettings: [(name: String, value: String, reason: String)] = [
        ("appendonly", "yes", "without the AOF, a restart loses every delivery since the last snapshot"),
        ("appendfsync", "always", "otherwise a crash can lose deliveries Redis already acknowledged"),
        ("maxmemory-policy", "noeviction", "an evicted dedupe key runs a command twice, an evicted stream loses the inbox"),
    ]

    /// nil when Redis runs with `appendonly yes`, `appendfsync always` and `maxmemory-policy noeviction`; else one
    /// line for the operator naming what differs (or that `CONFIG GET` is not allowed, as on some managed services).
    /// For the startup log: the inbox still works, only with weaker guarantees.
    package func durabilityWarning() async -> String? {
        var problems: [String] = []
        for setting in Self.requiredSettings {
            let reply: RedisReply
            do {
                reply = try await client.command(["CONFIG", "GET", setting.name])
            } catch {
                return "Redis inbox \(url): cannot check durability settings (\(error))"
            }
            if case .error(let message) = reply {
                return "Redis inbox \(url): cannot check durability settings (CONFIG GET: \(message)); make sure Redis "
                    + "runs with " + Self.requiredSettings.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
            }
            let value = reply.array.flatMap { $0.count == 2 ? $0[1].string : nil } ?? "(unset)"
            if value.lowercased() != setting.value {
                problems.append("\(setting.name) is \(value), not \(setting.value): \(setting.reason)")
            }
        }
        guard !problems.isEmpty else { return nil }
        return "Redis inbox \(url): " + problems.joined(separator: "; ")
    }
}
