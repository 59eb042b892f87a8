import Foundation
import Hummingbird

extension FakeKubernetesAPI {
    /// Serves the fake on 127.0.0.1 (ephemeral port) for the duration of `body`, which gets the base URL.
    package nonisolated func serve<T: Sendable>(_ body: @escaping @Sendable (_ baseURL: String) async throws -> T) async throws -> T {
        try await LocalHTTPServer.run(router(), body)
    }

    /// Every path and method goes to ``handle(_:)``, which routes like the API server.
    package nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .patch, .delete, .put] {
            router.on("**", method: method) { request, _ -> Response in
                var request = request
                let body = try await request.collectBody(upTo: 4 << 20)
                var query: [String: String] = [:]
                for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
                let received = ReceivedRequest(
                    method: request.method.rawValue, path: request.uri.path, query: query, rawQuery: request.uri.query,
                    contentType: request.headers[.contentType], authorization: request.headers[.authorization],
                    body: Array(body.readableBytesView))
                let answer = await self.handle(received)
                return Response(
                    status: .init(code: answer.status), headers: [.contentType: answer.contentType],
                    body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
            }
        }
        return router
    }
}

