import Foundation

/// Settings from the environment, optionally from `hybridbot.yaml` (same keys in lower case). Environment wins.
package struct BotConfiguration: Sendable {
    /// Every key the bot reads (contract.md). Anything else in hybridbot.yaml is an error.
    package static let knownKeys: [String] = [
        "HYBRIDBOT_LISTEN", "HYBRIDBOT_DB", "HYBRIDBOT_PLUGINS", "HYBRIDBOT_PERMISSIONS", "HYBRIDBOT_RELAY_TOKEN",
        "HYBRIDBOT_COMMAND", "HYBRIDBOT_LEASE_SECONDS", "HYBRIDBOT_INBOX",
        "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_API_URL",
        "PAGERDUTY_WEBHOOK_SECRETS", "PAGERDUTY_API_TOKEN", "PAGERDUTY_API_URL", "PAGERDUTY_EVENTS_URL",
        "PAGERDUTY_ROUTING_KEY", "PAGERDUTY_SLACK_CHANNEL",
        "KUBERNETES_API_URL", "KUBERNETES_TOKEN", "KUBERNETES_TOKEN_FILE", "KUBERNETES_CA_FILE", "KUBERNETES_NAMESPACE",
        "REDIS_URL", "DATABASE_URL", "PROMETHEUS_URL", "HYBRID_API_URL", "HYBRID_API_KEY", "LOG_FORMAT", "LOG_LEVEL",
        // Beyond contract.md: pgbouncer's admin console for `db pool` (optional) and the notification service of
        // Runbook 5 (`review notify-test`).
        "PGBOUNCER_URL", "NOTIFICATION_SERVICE_URL",
    ]

    /// Keys whose values are secrets: redacted everywhere, never printed.
    package static let secretKeys: Set<String> = [
        "HYBRIDBOT_RELAY_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "PAGERDUTY_WEBHOOK_SECRETS",
        "PAGERDUTY_API_TOKEN", "PAGERDUTY_ROUTING_KEY", "KUBERNETES_TOKEN", "HYBRID_API_KEY",
    ]

    package static let defaults: [String: String] = [
        "HYBRIDBOT_LISTEN": "127.0.0.1:8080", "HYBRIDBOT_DB": "./data/hybridbot.sqlite", "HYBRIDBOT_PLUGINS": "./plugins",
        "HYBRIDBOT_PERMISSIONS": "./permissions.yaml", "HYBRIDBOT_COMMAND": "/hybrid", "SLACK_API_URL": "https://slack.com/api",
        "PAGERDUTY_API_URL": "https://api.pagerduty.com", "PAGERDUTY_EVENTS_URL": "https://events.pagerduty.com",
        "KUBERNETES_NAMESPACE": "hybrid-ai", "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DATABASE_URL": "postgresql://127.0.0.1:5432/hybrid_ai", "PROMETHEUS_URL": "http://127.0.0.1:9090",
        "HYBRID_API_URL": "http://127.0.0.1:8000", "LOG_FORMAT": "text", "LOG_LEVEL": "info",
        "HYBRIDBOT_LEASE_SECONDS": "30",
    ]

    /// Set values: file first, environment over it. Defaults are not in here.
    package let values: [String: String]

    package init(values: [String: String]) {
        self.values = values
    }

    package subscript(key: String) -> String? {
        if let v = values[key], !v.isEmpty { return v }
        return Self.defaults[key]
    }

    /// The raw settings for modules that resolve their own (Kubernetes, …), defaults included.
    package var effective: [String: String] {
        Self.defaults.merging(values.filter { !$0.value.isEmpty }) { _, new in new }
    }

    package var secrets: [String] {
        Self.secretKeys.compactMap { values[$0] }.flatMap { $0.split(separator: ",").map(String.init) + [$0] }
            + Self.urlPasswords(values) + Self.tokenFileContents(values)
    }

    /// The Kubernetes bearer token read from a file (KUBERNETES_TOKEN_FILE, or the in-cluster service account) is a
    /// secret too. Read once when the redactor is built; a token rotated later is covered by the driver's own care
    /// (it never prints the token) but not by this list.
    static func tokenFileContents(_ values: [String: String]) -> [String] {
        let paths = [values["KUBERNETES_TOKEN_FILE"], "/var/run/secrets/kubernetes.io/serviceaccount/token"].compactMap { $0 }
        return paths.compactMap { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return token.count >= 8 ? token : nil
        }
    }

    /// Passwords inside URLs (`postgresql://bot:pw@host`, `redis://:pw@host`) are secrets too.
    /// Both what URLComponents parses and what a lenient driver parser accepts (an unencoded `@` or `/` in the password,
    /// the last `@` wins), raw and percent-decoded: whichever form a message shows, it is redacted.
    package static func urlPasswords(_ values: [String: String]) -> [String] {
        var found = Set<String>()
        for value in values.values {
            if let url = URLComponents(string: value), let password = url.password, !password.isEmpty {
                found.insert(password)  // URLComponents.password is already percent-decoded
            }
            guard let schemeEnd = value.range(of: "://") else { continue }
            let rest = value[schemeEnd.upperBound...]
            let end = rest.firstIndex(of: "?") ?? rest.endIndex
            guard let at = rest[..<end].lastIndex(of: "@") else { continue }
            let userinfo = rest[..<at]
            guard let colon = userinfo.firstIndex(of: ":") else { continue }
            let raw = String(userinfo[userinfo.index(after: colon)...])
            guard !raw.isEmpty else { continue }
            found.insert(raw)
            if let decoded = raw.removingPercentEncoding, !decoded.isEmpty { found.insert(decoded) }
        }
        return found.sorted()
    }

    package var listen: (host: String, port: Int) {
        get throws(ConfigurationError) { try Self.parseListen(self["HYBRIDBOT_LISTEN"] ?? "") }
    }

    package var signingSecret: String {
        get throws(ConfigurationError) {
            guard let secret = self["SLACK_SIGNING_SECRET"] else {
                throw ConfigurationError("SLACK_SIGNING_SECRET is not set: the bot cannot verify Slack requests without it (Slack app → Basic Information → Signing Secret).")
            }
            return secret
        }
    }

    package var slashCommand: String { self["HYBRIDBOT_COMMAND"] ?? "/hybrid" }
    package var databasePath: String { self["HYBRIDBOT_DB"] ?? "./data/hybridbot.sqlite" }
    package var pluginsPath: String { self["HYBRIDBOT_PLUGINS"] ?? "./plugins" }
    package var permissionsPath: String { self["HYBRIDBOT_PERMISSIONS"] ?? "./permissions.yaml" }

    static func parseListen(_ text: String) throws(ConfigurationError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigurationError("HYBRIDBOT_LISTEN must be host:port, e.g. 127.0.0.1:8080 (got \"\(text.prefix(60))\")")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigurationError("HYBRIDBOT_LISTEN has no host (got \"\(text.prefix(60))\")") }
        return (host, port)
    }
}

/// One clear line for the operator.
package struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
