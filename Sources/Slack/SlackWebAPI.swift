import Foundation
import HTTPDriver

/// A small client of Slack's Web API (`{SLACK_API_URL}/METHOD`). Slack answers HTTP 200 with `ok: false` on failure.
package struct SlackWebAPI: Sendable {
    package struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        package let method: String
        package let error: String
        package var description: String { "Slack \(method) failed: \(error)" }
    }

    let http: HTTPClient
    let baseURL: String
    let token: String
    let timeout: Duration

    package init(http: HTTPClient, baseURL: String, token: String, timeout: Duration = .seconds(5)) {
        self.http = http
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.timeout = timeout
    }

    /// GET-style call with query parameters; returns the decoded JSON object when `ok` is true.
    package func call(_ method: String, query: [(String, String)] = []) async throws -> [String: Any] {
        let encoded = FormFields.encode(query)
        let url = "\(baseURL)/\(method)" + (encoded.isEmpty ? "" : "?" + encoded)
        let request = HTTPRequest(method: "GET", url: url, headers: [("Authorization", "Bearer " + token)], timeout: timeout)
        let response = try await send(request, method: method)
        if response.status == 429 {
            throw Failure(method: method, error: "rate limited, retry after \(response.header("retry-after") ?? "?") s")
        }
        return try Self.decode(response, method: method)
    }

    func send(_ request: HTTPRequest, method: String) async throws -> HTTPResponse {
        do {
            return try await http.execute(request)
        } catch {
            throw Failure(method: method, error: "unreachable (\(error))")
        }
    }

    /// Slack's answer: the JSON object when `ok` is true, else its `error` as a Failure.
    static func decode(_ response: HTTPResponse, method: String) throws -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
            throw Failure(method: method, error: "HTTP \(response.status) without a JSON body")
        }
        guard object["ok"] as? Bool == true else {
            throw Failure(method: method, error: object["error"] as? String ?? "unknown error")
        }
        return object
    }

    /// Every user group of the workspace with its members: `usergroups.list?include_users=true` (scope usergroups:read).
    package func userGroups() async throws -> [String: Set<String>] {
        let object = try await call("usergroups.list", query: [("include_users", "true")])
        var groups: [String: Set<String>] = [:]
        for group in object["usergroups"] as? [[String: Any]] ?? [] {
            guard let id = group["id"] as? String else { continue }
            groups[id] = Set(group["users"] as? [String] ?? [])
        }
        return groups
    }
}
