import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import Slack

/// Checks Slack's signature over the raw body before anything parses it.
///
/// A missing, stale or wrong signature is 401 and leaves nothing behind but a counter and a log line.
package struct SlackVerificationMiddleware: RouterMiddleware {
    package typealias Context = HybridRequestContext

    private let signature: SlackSignature
    private let now: @Sendable () -> Int64
    private let rejected = Counter(label: "hybridbot_slack_rejected_requests_total")

    package init(signingSecret: String, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.signature = SlackSignature(secret: signingSecret)
        self.now = now
    }

    package func handle(
        _ request: Request, context: HybridRequestContext, next: (Request, HybridRequestContext) async throws -> Response
    ) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: ListenerLimits.maxBodyBytes)
        } catch {
            context.logger.notice("slack request body too large", metadata: ["http.path": "\(request.uri.path)"])
            return Response(status: .contentTooLarge)
        }
        let body = Array(buffer.readableBytesView)
        let timestamp = request.headers[HTTPField.Name("X-Slack-Request-Timestamp")!]
        let sent = request.headers[HTTPField.Name("X-Slack-Signature")!]
        switch signature.verify(timestamp: timestamp, signature: sent, body: body, now: now()) {
        case .failure(let failure):
            rejected.increment()
            context.logger.warning("rejected unsigned or badly signed Slack request", metadata: [
                "http.path": "\(request.uri.path)", "slack.signature_failure": "\(failure)",
            ])
            return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: "invalid Slack signature\n")))
        case .success:
            var context = context
            context.verifiedSlack = VerifiedSlackRequest(body: body, timestamp: Int64(timestamp ?? "") ?? 0)
            return try await next(request, context)
        }
    }
}
