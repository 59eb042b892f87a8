import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import PagerDuty

/// Checks `X-PagerDuty-Signature` over the raw body against every configured secret (rotation) before anything parses it.
///
/// - body over ``PagerDutyLimits/maxBodyBytes`` → 413;
/// - no secret configured → 503 with one log line: PagerDuty retries 5xx for 48 h, so deliveries sent before the
///   secret is set are not lost;
/// - missing or wrong signature → 401, recorded nowhere but a counter and a log line.
package struct PagerDutyVerificationMiddleware: RouterMiddleware {
    package typealias Context = HybridRequestContext

    private let secrets: [String]
    private let rejected = Counter(label: "hybridbot_pagerduty_rejected_requests_total")

    package init(secrets: [String]) {
        self.secrets = secrets.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static let signatureHeader = HTTPField.Name("X-PagerDuty-Signature")!
    static let webhookIDHeader = HTTPField.Name("X-Webhook-Id")!

    package func handle(
        _ request: Request, context: HybridRequestContext, next: (Request, HybridRequestContext) async throws -> Response
    ) async throws -> Response {
        guard !secrets.isEmpty else {
            context.logger.error("PagerDuty webhook refused: PAGERDUTY_WEBHOOK_SECRETS is not set (answering 503 so PagerDuty retries)")
            return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "PagerDuty webhooks are not configured\n")))
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: PagerDutyLimits.maxBodyBytes)
        } catch {
            context.logger.notice("PagerDuty request body too large", metadata: ["http.path": "\(request.uri.path)"])
            return Response(status: .contentTooLarge)
        }
        let body = Array(buffer.readableBytesView)
        let header = request.headers[Self.signatureHeader]
        guard PagerDutySignature.verify(body: body, header: header, secrets: secrets) else {
            rejected.increment()
            context.logger.warning("rejected unsigned or badly signed PagerDuty webhook", metadata: [
                "http.path": "\(request.uri.path)", "pagerduty.signature": "\(header == nil ? "missing" : "mismatch")",
            ])
            return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: "invalid PagerDuty signature\n")))
        }
        var context = context
        let webhookID = request.headers[Self.webhookIDHeader]?.trimmingCharacters(in: .whitespaces)
        context.verifiedPagerDuty = VerifiedPagerDutyRequest(body: body, webhookID: webhookID?.isEmpty == false ? webhookID : nil)
        return try await next(request, context)
    }
}
