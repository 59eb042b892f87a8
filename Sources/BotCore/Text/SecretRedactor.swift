/// Removes secrets from any text before it is logged, audited or sent to Slack.
///
/// Two layers: the exact values of configured secrets (tokens, passwords, signing secrets),
/// and shapes that are secrets whatever their value (Slack tokens, bearer credentials, URL passwords).
package struct SecretRedactor: Sendable {
    package static let mask = "[REDACTED]"
    private let values: [String]

    /// Values shorter than 6 characters are ignored: redacting "abc" everywhere would garble text and leak length.
    package init(secrets: [String]) {
        values = Array(Set(secrets.filter { $0.count >= 6 })).sorted { $0.count > $1.count }
    }

    package static let none = SecretRedactor(secrets: [])

    package func redact(_ text: String) -> String {
        var out = text
        for value in values where out.contains(value) { out = out.replacing(value, with: Self.mask) }
        out = Self.redactShapes(out)
        return out
    }

    private static func redactShapes(_ text: String) -> String {
        var out = text
        // Slack tokens: xoxb-, xoxp-, xoxa-, xoxs-, xapp-.
        out = out.replacing(/(xox[a-z]|xapp)-[A-Za-z0-9-]{6,}/, with: { _ in mask })
        // Slack response_url / webhook URLs carry their credential in the path.
        out = out.replacing(/(hooks\.slack\.com\/(?:commands|actions|services|triggers|workflows))\/[^\s"']+/, with: { m in
            String(m.output.1) + "/" + mask
        })
        // Authorization values.
        out = out.replacing(/(?i)(bearer|token token=|basic)\s+[A-Za-z0-9._~+\/=-]{6,}/, with: { m in
            String(m.output.1) + " " + mask
        })
        // Passwords in URLs: scheme://user:password@host.
        out = out.replacing(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\/\s:@]*):[^\/\s]+@/, with: { m in
            String(m.output.1) + ":" + mask + "@"
        })
        // key=value and "key": "value" for keys that name secrets.
        out = out.replacing(/(?i)((?:password|passwd|secret|token|api_key|apikey)["']?\s*[=:]\s*)(?:"([^"\n]{4,})"|'([^'\n]{4,})'|([^\s"'&,}]{4,}))/, with: { m in
            let quote = m.output.2 != nil ? "\"" : m.output.3 != nil ? "'" : ""
            return String(m.output.1) + quote + mask + quote
        })
        return out
    }
}
