import Foundation
import HTTPDriver

/// Posts follow-up messages to a slash command's `response_url` (up to 5 within 30 minutes, per Slack).
package struct ResponseURLClient: Sendable {
    package struct Failure: Error, CustomStringConvertible, Sendable {
        package let description: String
    }

    private let http: HTTPClient
    private let timeout: Duration

    package init(http: HTTPClient, timeout: Duration = .seconds(10)) {
        self.http = http
        self.timeout = timeout
    }

    package func post(_ message: SlackMessage, to responseURL: String) async throws {
        guard let url = URL(string: responseURL), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
              url.host != nil
        else { throw Failure(description: "response_url is not an http(s) URL") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = try encoder.encode(message)
        let request = HTTPRequest(
            method: "POST", url: responseURL, headers: [("Content-Type", "application/json; charset=utf-8")],
            body: Array(body), timeout: timeout)
        let response = try await http.execute(request)
        guard (200..<300).contains(response.status) else {
            throw Failure(description: "Slack answered \(response.status) to the response_url post")
        }
    }
}
