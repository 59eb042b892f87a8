import Foundation
import HTTPDriver

/// PagerDuty's REST API v2 (`PAGERDUTY_API_URL`), the incident calls the bot needs.
///
/// Every request carries `Authorization: Token token=…` and the v2 `Accept`; writes carry
/// `From: <email of a PagerDuty user>` so the action is attributed to that person.
package struct PagerDutyREST: Sendable {
    package enum Update: String, Sendable {
        case acknowledged
        case resolved
    }

    let http: HTTPClient
    let baseURL: String
    let token: String
    let timeout: Duration
    let retry: RetryPolicy

    package init(http: HTTPClient, baseURL: String, token: String, timeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy()) {
        self.http = http
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.timeout = timeout
        self.retry = retry
    }

    /// Triggered and acknowledged incidents, oldest first as PagerDuty lists them (follows `more`, up to `maxPages`).
    package func listOpenIncidents(maxPages: Int = 10) async throws(PagerDutyError) -> [Incident] {
        var incidents: [Incident] = []
        var offset = 0
        for _ in 0..<max(1, maxPages) {
            let query = "statuses%5B%5D=triggered&statuses%5B%5D=acknowledged&limit=100&offset=\(offset)"
            let page: RESTIncidentList = try await send("GET", path: "/incidents?" + query)
            incidents += try page.incidents.map { wire throws(PagerDutyError) in try wire.incident() }
            guard page.more == true, !page.incidents.isEmpty else { break }
            offset += page.incidents.count
        }
        return incidents
    }

    package func incident(id: String) async throws(PagerDutyError) -> Incident {
        let path = try Self.incidentPath(id)
        let answer: RESTIncidentEnvelope = try await send("GET", path: path)
        return try answer.incident.incident()
    }

    /// `PUT /incidents/{id}` with `{"incident":{"type":"incident_reference","status":…}}` as `email`.
    package func update(id: String, status: Update, from email: String) async throws(PagerDutyError) -> Incident {
        let path = try Self.incidentPath(id)
        guard Self.isPlausibleEmail(email) else {
            throw .badInput("no usable PagerDuty email for this user (identities in permissions.yaml)")
        }
        let body = RESTUpdateBody(incident: .init(type: "incident_reference", status: status.rawValue))
        let bytes: [UInt8]
        do { bytes = Array(try JSONEncoder().encode(body)) } catch { throw .badInput("could not encode the update") }
        let answer: RESTIncidentEnvelope = try await send("PUT", path: path, body: bytes, from: email)
        return try answer.incident.incident()
    }

    // MARK: - Plumbing

    func send<Answer: Decodable>(_ method: String, path: String, body: [UInt8]? = nil, from email: String? = nil) async throws(PagerDutyError) -> Answer {
        var headers = [
            ("Authorization", "Token token=" + token),
            ("Accept", "application/vnd.pagerduty+json;version=2"),
            ("Content-Type", "application/json"),
        ]
        if let email { headers.append(("From", email)) }
        let request = HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body, timeout: timeout)
        let response: HTTPResponse
        let retries: Int
        do {
            (response, retries) = try await retry.run { try await http.execute(request) }
        } catch {
            throw .transport(PagerDutyError.scrub("\(error)", secrets: [token]))
        }
        guard (200..<300).contains(response.status) else {
            throw Self.failure(response, retries: retries, secrets: [token])
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(response.body))
        } catch {
            throw .malformedResponse("HTTP \(response.status) from \(method) \(Self.pathOnly(path))")
        }
    }

    /// Maps a non-2xx answer and PagerDuty's `{"error":{"message","code","errors"}}` to a ``PagerDutyError``.
    static func failure(_ response: HTTPResponse, retries: Int, secrets: [String]) -> PagerDutyError {
        let wire = try? JSONDecoder().decode(RESTErrorEnvelope.self, from: Data(response.body))
        let message = PagerDutyError.scrub(wire?.error?.message ?? "", secrets: secrets)
        let details = (wire?.error?.errors ?? []).map { PagerDutyError.scrub($0, secrets: secrets) }
        switch response.status {
        case 401: return .unauthorized
        case 403: return .forbidden(message: ([message] + details).filter { !$0.isEmpty }.joined(separator: " — "))
        case 404: return .notFound(message: message)
        case 400, 409, 422: return .invalid(message: message, details: details)
        case 429: return .rateLimited(retries: retries)
        default: return .server(status: response.status, message: message)
        }
    }

    /// PagerDuty ids are short alphanumerics; anything else never reaches the URL.
    static func incidentPath(_ id: String) throws(PagerDutyError) -> String {
        guard !id.isEmpty, id.utf8.count <= 40, id.utf8.allSatisfy(isIDByte) else {
            throw .badInput("“\(id.prefix(40))” is not a PagerDuty incident id")
        }
        return "/incidents/" + id
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }

    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && email.utf8.count <= 254
            && !email.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F })
    }

    static func pathOnly(_ path: String) -> String { String(path.prefix { $0 != "?" }) }
}
