import Foundation
import HTTPDriver

extension SlackWebAPI {
    /// `chat.postMessage`; returns the message `ts` (for later `chat.update` and threads).
    package func postMessage(channel: String, message: SlackMessage, threadTS: String? = nil) async throws -> String {
        var body = try Self.messageBody(message)
        body["channel"] = channel
        if let threadTS { body["thread_ts"] = threadTS }
        let object = try await post("chat.postMessage", body)
        guard let ts = object["ts"] as? String else { throw Failure(method: "chat.postMessage", error: "no ts in the answer") }
        return ts
    }

    /// `chat.update` of a message the bot posted.
    package func updateMessage(channel: String, ts: String, message: SlackMessage) async throws {
        var body = try Self.messageBody(message)
        body["channel"] = channel
        body["ts"] = ts
        _ = try await post("chat.update", body)
    }

    /// `chat.postEphemeral`: only `user` sees it.
    package func postEphemeral(channel: String, user: String, text: String) async throws {
        _ = try await post("chat.postEphemeral", ["channel": channel, "user": user, "text": text])
    }

    static func messageBody(_ message: SlackMessage) throws -> [String: Any] {
        let data = try JSONEncoder().encode(SlackMessage(text: message.text, blocks: message.blocks))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// JSON POST with Bearer auth; one retry after Slack's `Retry-After` (capped) on 429.
    func post(_ method: String, _ body: [String: Any]) async throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: body)
        for attempt in 0..<2 {
            let request = HTTPRequest(
                method: "POST", url: "\(baseURL)/\(method)",
                headers: [("Authorization", "Bearer " + token), ("Content-Type", "application/json; charset=utf-8")],
                body: Array(data), timeout: timeout)
            let response = try await send(request, method: method)
            if response.status == 429 {
                let wait = min(Int(response.header("retry-after") ?? "1") ?? 1, 10)
                if attempt == 0 {
                    try await Task.sleep(for: .seconds(wait))
                    continue
                }
                throw Failure(method: method, error: "rate limited (retry after \(wait) s)")
            }
            return try Self.decode(response, method: method)
        }
        throw Failure(method: method, error: "rate limited")
    }
}
