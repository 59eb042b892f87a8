import Foundation

/// A failed call to PagerDuty's REST or Events API, written for the operator in Slack.
///
/// Descriptions never contain the API token or the routing key: messages from PagerDuty are
/// scrubbed of both before they are stored here (see ``PagerDutyError/scrub(_:secrets:)``).
package enum PagerDutyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401: the API token (or routing key) is wrong or revoked.
    case unauthorized
    /// 403: the token, or the `From` user, may not do this.
    case forbidden(message: String)
    /// 404: no such incident (or no access to it).
    case notFound(message: String)
    /// 400: PagerDuty refused the request, e.g. "Incident Already Resolved"; PagerDuty's words kept.
    case invalid(message: String, details: [String])
    /// 429 still after the retries.
    case rateLimited(retries: Int)
    /// 5xx or an unexpected status.
    case server(status: Int, message: String)
    /// The request never got an HTTP answer (connect, TLS, timeout).
    case transport(String)
    /// 2xx with a body we cannot read.
    case malformedResponse(String)
    /// Refused before sending: e.g. an incident id or a `From` address that cannot be right.
    case badInput(String)

    package var description: String {
        switch self {
        case .unauthorized:
            "PagerDuty rejected the credentials (401): check PAGERDUTY_API_TOKEN / PAGERDUTY_ROUTING_KEY"
        case .forbidden(let message):
            "PagerDuty refused: not allowed (403)" + Self.suffix(message) + " — is your Slack user mapped to a PagerDuty user with access?"
        case .notFound(let message):
            "PagerDuty: not found (404)" + Self.suffix(message)
        case .invalid(let message, let details):
            "PagerDuty refused the request (400)" + Self.suffix(([message] + details).filter { !$0.isEmpty }.joined(separator: " — "))
        case .rateLimited(let retries):
            "PagerDuty is rate limiting us (429), still after \(retries) retries; try again in a minute"
        case .server(let status, let message):
            "PagerDuty answered HTTP \(status)" + Self.suffix(message)
        case .transport(let detail):
            "PagerDuty unreachable: \(detail)"
        case .malformedResponse(let detail):
            "PagerDuty sent an unreadable answer: \(detail)"
        case .badInput(let detail):
            detail
        }
    }

    /// PagerDuty's own words, e.g. "Incident Already Resolved", for checks in callers.
    package var pagerDutyMessages: [String] {
        switch self {
        case .invalid(let message, let details): [message] + details
        case .forbidden(let message), .notFound(let message), .server(_, let message): [message]
        default: []
        }
    }

    private static func suffix(_ message: String) -> String { message.isEmpty ? "" : ": \(message)" }

    /// Removes every occurrence of a secret (token, routing key) from text that came off the wire.
    static func scrub(_ text: String, secrets: [String]) -> String {
        var text = text
        for secret in secrets where secret.count >= 4 {
            text = text.replacingOccurrences(of: secret, with: "[redacted]")
        }
        // Bound what a server can make us show in Slack.
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
