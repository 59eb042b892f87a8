import Foundation
import Hummingbird
import Slack

/// Plays Slack's `response_url` endpoint: records every JSON message posted to /response/{id}.
actor ResponseURLSink {
    private var messages: [String: [SlackMessage]] = [:]
    private var raw: [String] = []

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/response/:id") { request, context -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard request.headers[.contentType]?.hasPrefix("application/json") == true else { return .unsupportedMediaType }
            let bytes = Array(body.readableBytesView)
            await self.record(id: context.parameters.get("id") ?? "", bytes)
            return .ok
        }
        return router
    }

    private func record(id: String, _ bytes: [UInt8]) {
        raw.append(String(decoding: bytes, as: UTF8.self))
        if let message = try? JSONDecoder().decode(SlackMessage.self, from: Data(bytes)) {
            messages[id, default: []].append(message)
        }
    }

    func received(_ id: String) -> [SlackMessage] { messages[id] ?? [] }
    func everything() -> [String] { raw }

    /// Waits until some message for `id` satisfies `predicate`, or the timeout passes.
    func wait(for id: String, timeout: Duration = .seconds(10), until predicate: @Sendable (SlackMessage) -> Bool) async -> [SlackMessage] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !(messages[id] ?? []).contains(where: predicate), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return messages[id] ?? []
    }

    /// Waits until `count` messages arrived for `id`, or the timeout passes.
    func wait(for id: String, count: Int = 1, timeout: Duration = .seconds(10)) async -> [SlackMessage] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while (messages[id]?.count ?? 0) < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return messages[id] ?? []
    }
}
