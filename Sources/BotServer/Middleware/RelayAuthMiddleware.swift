import Crypto
import Foundation
import Hummingbird
import Metrics

/// The relay API is for cores only: `Authorization: Bearer <HYBRIDBOT_RELAY_TOKEN>`, compared in constant time.
/// A missing or wrong token is 401, counted and logged (never the token itself).
package struct RelayAuthMiddleware: RouterMiddleware {
    package typealias Context = HybridRequestContext

    private let expected: [UInt8]
    private let rejected = Counter(label: "hybridbot_relay_rejected_requests_total")

    package init(token: String) {
        expected = Array(SHA256.hash(data: Data(token.utf8)))
    }

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
        return try await next(request, context)
    }

    /// Hashing both sides first makes the comparison independent of the token's length, and the byte loop never
    /// exits early, so timing tells an attacker nothing about how much of a guess was right.
    static func matches(_ header: String?, expected: [UInt8]) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        let given = Array(SHA256.hash(data: Data(header.dropFirst(7).utf8)))
        var difference: UInt8 = 0
        for (a, b) in zip(given, expected) { difference |= a ^ b }
        return difference == 0
    }
}
