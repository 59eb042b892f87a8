import BotCore
import Foundation
import HTTPDriver

/// PagerDuty Events API v2 (`PAGERDUTY_EVENTS_URL`): `POST /v2/enqueue`, answered 202.
/// The routing key travels only in the body and never appears in an error.
package struct PagerDutyEvents: Sendable {
    package enum Severity: String, Sendable, Codable {
        case critical, error, warning, info
    }

    let http: HTTPClient
    let baseURL: String
    let routingKey: String
    let timeout: Duration
    let retry: RetryPolicy

    package init(http: HTTPClient, baseURL: String, routingKey: String, timeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy()) {
        self.http = http
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.routingKey = routingKey
        self.timeout = timeout
        self.retry = retry
    }

    /// A fresh dedup key for a declared emergency.
    package static func newDedupKey() -> String { "hybridbot-" + UUID().uuidString.lowercased() }

    /// Sends `event_action: trigger`; returns the dedup key PagerDuty confirmed (ours when it echoes none).
    /// A repeat with the same `dedupKey` adds to the same open incident instead of opening another.
    package func trigger(
        summary: String, source: String, severity: Severity = .critical, dedupKey: String = PagerDutyEvents.newDedupKey(),
        timestamp: Date? = nil, customDetails: [String: String] = [:]
    ) async throws(PagerDutyError) -> String {
        let trimmed = summary.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw .badInput("an emergency needs a summary") }
        guard !dedupKey.isEmpty, dedupKey.utf8.count <= 255 else { throw .badInput("dedup key must be 1–255 bytes") }
        let event = EnqueueEvent(
            routingKey: routingKey, eventAction: "trigger", dedupKey: dedupKey,
            payload: .init(
                summary: String(trimmed.prefix(1024)), source: source, severity: severity.rawValue,
                timestamp: timestamp.map(RFC3339.format), customDetails: customDetails.isEmpty ? nil : customDetails))
        let body: [UInt8]
        do { body = Array(try JSONEncoder().encode(event)) } catch { throw .badInput("could not encode the event") }
        let request = HTTPRequest(
            method: "POST", url: baseURL + "/v2/enqueue",
            headers: [("Content-Type", "application/json"), ("Accept", "application/json")], body: body, timeout: timeout)
        let response: HTTPResponse
        let retries: Int
        do {
            (response, retries) = try await retry.run { try await http.execute(request) }
        } catch {
            throw .transport(PagerDutyError.scrub("\(error)", secrets: [routingKey]))
        }
        let answer = try? JSONDecoder().decode(EnqueueAnswer.self, from: Data(response.body))
        guard (200..<300).contains(response.status) else {
            let message = PagerDutyError.scrub(answer?.message ?? "", secrets: [routingKey])
            let details = (answer?.errors ?? []).map { PagerDutyError.scrub($0, secrets: [routingKey]) }
            switch response.status {
            case 400: throw .invalid(message: message, details: details)
            case 401: throw .unauthorized
            case 403: throw .forbidden(message: message)
            case 404: throw .notFound(message: message)
            case 429: throw .rateLimited(retries: retries)
            default: throw .server(status: response.status, message: message)
            }
        }
        return answer?.dedupKey ?? dedupKey
    }
}

struct EnqueueEvent: Encodable {
    struct Payload: Encodable {
        var summary: String
        var source: String
        var severity: String
        var timestamp: String?
        var customDetails: [String: String]?

        enum CodingKeys: String, CodingKey {
            case summary, source, severity, timestamp
            case customDetails = "custom_details"
        }
    }

    var routingKey: String
    var eventAction: String
    var dedupKey: String
    var payload: Payload

    enum CodingKeys: String, CodingKey {
        case payload
        case routingKey = "routing_key"
        case eventAction = "event_action"
        case dedupKey = "dedup_key"
    }
}

/// `{"status":"success","message":"Event processed","dedup_key":…}` or `{"status":"invalid event","message":…,"errors":[…]}`.
struct EnqueueAnswer: Decodable {
    var status: String?
    var message: String?
    var dedupKey: String?
    var errors: [String]?

    enum CodingKeys: String, CodingKey {
        case status, message, errors
        case dedupKey = "dedup_key"
    }
}
