import RedisDriver

/// The Redis of the Hybrid AI system (`REDIS_URL`), or why it cannot be used.
package struct RedisTarget: Sendable {
    package let client: RedisClient?
    private let problem: String?
    package let shown: String

    /// A bad URL does not stop the bot: the Redis actions report it when used.
    package init(url: String, timeout: Duration = .seconds(5)) {
        do {
            let parsed = try RedisURL(parsing: url)
            client = RedisClient(url: parsed, timeout: timeout)
            problem = nil
            shown = "\(parsed.host):\(parsed.port)/\(parsed.database)"
        } catch {
            client = nil
            problem = "REDIS_URL is not usable: \(error)"
            shown = "Redis"
        }
    }

    func connected(for action: String) throws(ActionFailure) -> RedisClient {
        guard let client else { throw ActionFailure(dependency: "Redis", message: problem ?? "not configured") }
        return client
    }

    static func failure(_ error: RedisError, doing what: String) -> ActionFailure {
        var hint = ""
        if error.isConnectionRefused || error.isTimeout { hint = " Check REDIS_URL and that Redis is up." }
        if error.isAuthentication { hint = " Check the password in REDIS_URL." }
        return ActionFailure(dependency: "Redis", message: "could not \(what): \(error)." + hint)
    }
}

extension Int {
    /// 1234567 → "1,234,567"
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (self < 0 ? "-" : "") + out
    }
}
