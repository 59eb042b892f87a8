import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import Slack

/// The relay API is for cores only: `Authorization: Bearer <HYBRIDBOT_RELAY_TOKEN>`, compared in constant time.
/// A missing or wrong token is 401, counted and logged (never the token itself).
package struct RelayAuthMiddleware: RouterMiddleware {
    package typealias Context = HybridRequestContext

    private let expected: [UInt8]
    /// This relay's store (`HybridStore.storeID`): sent back on every answer; a core that learned another one is refused.
    private let storeID: String
    private let rejected = Counter(label: "hybridbot_relay_rejected_requests_total")

    package init(token: String, storeID: String) {
        expected = Array(SHA256.hash(data: Data(token.utf8)))
        self.storeID = storeID
    }

    package static let storeHeader = HTTPField.Name("X-Hybridbot-Store")!

    package func handle(
        _ request: Request, context: HybridRequestContext, next: (Request, HybridRequestContext) async throws -> Response
    ) async throws -> Response {
        guard Self.matches(request.headers[.authorization], expected: expected) else {
            rejected.increment()
            context.logger.warning("rejected relay request with a missing or wrong token", metadata: ["http.path": "\(request.uri.path)"])
            return Response(
                status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"],
                body: .init(byteBuffer: ByteBuffer(string: "missing or wrong relay token\n")))
        }
        if let wanted = request.headers[Self.storeHeader], wanted != storeID {
            context.logger.error("refused a core that works with another relay's store (are cores pointed at a load balancer?)",
                                 metadata: ["http.path": "\(request.uri.path)"])
            return Response(
                status: .conflict, headers: [Self.storeHeader: storeID],
                body: .init(byteBuffer: ByteBuffer(string: "this relay keeps a different store than the one this core works with\n")))
        }
        var response = try await next(request, context)
        response.headers[Self.storeHeader] = storeID
        return response
    }

    /// Hashing both sides first makes the comparison independent of the token's length, and the byte loop never
    /// exits early, so timing tells an attacker nothing about how much of a guess was right.
    static func matches(_ header: String?, expected: [UInt8]) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        return SlackSignature.constantTimeEquals(Array(SHA256.hash(data: Data(header.dropFirst(7).utf8))), expected)
    }
}
