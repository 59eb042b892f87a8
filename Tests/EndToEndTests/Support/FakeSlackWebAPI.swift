import Foundation
import Hummingbird
import Slack

/// Slack's Web API as the bot uses it: `chat.postMessage`, `chat.update`, `chat.postEphemeral`, with Bearer auth,
/// `{"ok": false, "error": …}` failures at HTTP 200, and 429 + `Retry-After` when asked to rate-limit.
actor FakeSlackWebAPI {
    struct Posted: Sendable {
        let method: String
        let channel: String
        let ts: String
        let threadTS: String?
        let message: SlackMessage
    }

    static let token = "xoxb-fake-e2e-token-123456"
    private(set) var calls: [Posted] = []
    private var counter = 1000
    private var rateLimitNext = 0
    private var failNext: String?

    func rateLimit(next count: Int) { rateLimitNext = count }
    func fail(next error: String) { failNext = error }

    nonisolated func router() -> Hummingbird.Router<BasicRequestContext> {
        let router = Hummingbird.Router()
        for method in ["chat.postMessage", "chat.update", "chat.postEphemeral"] {
            router.post("/api/\(method)") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                return await self.handle(method, request, Array(body.readableBytesView))
            }
        }
        return router
    }

    private func handle(_ method: String, _ request: Request, _ body: [UInt8]) -> Response {
        if rateLimitNext > 0 {
            rateLimitNext -= 1
            return Response(status: .tooManyRequests, headers: [.retryAfter: "1"])
        }
        guard request.headers[.authorization] == "Bearer \(Self.token)" else { return json(#"{"ok":false,"error":"invalid_auth"}"#) }
        guard request.headers[.contentType]?.hasPrefix("application/json") == true else {
            return json(#"{"ok":false,"error":"invalid_form_data"}"#)
        }
        if let error = failNext {
            failNext = nil
            return json(#"{"ok":false,"error":"\#(error)"}"#)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let channel = object["channel"] as? String,
              let message = try? JSONDecoder().decode(SlackMessage.self, from: Data(body))
        else { return json(#"{"ok":false,"error":"invalid_arguments"}"#) }
        if method == "chat.update" {
            guard let ts = object["ts"] as? String, calls.contains(where: { $0.ts == ts && $0.method == "chat.postMessage" }) else {
                return json(#"{"ok":false,"error":"message_not_found"}"#)
            }
            calls.append(Posted(method: method, channel: channel, ts: ts, threadTS: nil, message: message))
            return json(#"{"ok":true,"channel":"\#(channel)","ts":"\#(ts)","text":"updated"}"#)
        }
        counter += 1
        let ts = "1700000000.\(counter)"
        calls.append(Posted(method: method, channel: channel, ts: ts, threadTS: object["thread_ts"] as? String, message: message))
        if method == "chat.postEphemeral" { return json(#"{"ok":true,"message_ts":"\#(ts)"}"#) }
        return json(#"{"ok":true,"channel":"\#(channel)","ts":"\#(ts)","message":{"type":"message","text":"posted"}}"#)
    }

    private func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Waits until `predicate` holds over the calls so far, or the timeout passes.
    func wait(timeout: Duration = .seconds(10), until predicate: @Sendable ([Posted]) -> Bool) async -> [Posted] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !predicate(calls), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return calls
    }
}
