import Foundation
import Hummingbird

extension FakeKubernetesAPI {
    /// Serves the fake on 127.0.0.1 (ephemeral port) for the duration of `body`, which gets the base URL.
    package nonisolated func serve<T: Sendable>(_ body: @escaping @Sendable (_ baseURL: String) async throws -> T) async throws -> T {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var app = Application(
            router: router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            })
        // Cancelling the server at the end logs at error level; keep test output quiet.
        app.logger.logLevel = .critical
        let server = app
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw FakeServerFailure.noPort
            }
            group.addTask { try await body("http://127.0.0.1:\(port)") }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw FakeServerFailure.noPort
        }
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

enum FakeServerFailure: Error { case noPort }
