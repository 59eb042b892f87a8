import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// One request as a scripted fake server saw it.
package struct SeenRequest: Sendable {
    package let method: String
    package let path: String
    /// Decoded query parameters (repeated keys keep their last value).
    package let query: [String: String]
    package let headers: [String: String]
    package let body: String
}

/// What a scripted fake answers.
package struct ScriptedResponse: Sendable {
    package var status: Int
    package var headers: [String: String]
    package var body: String
    /// Delay before answering (to provoke client timeouts).
    package var delay: Duration

    package init(status: Int = 200, headers: [String: String] = ["Content-Type": "application/json"], body: String = "", delay: Duration = .zero) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    package static func json(_ body: String, status: Int = 200) -> ScriptedResponse { ScriptedResponse(status: status, body: body) }
}

/// A fake HTTP service on 127.0.0.1 (ephemeral port) whose every answer comes from `handler`; records what it saw.
/// For speaking a vendor's exact wire format (Prometheus, a health endpoint…) in tests of our clients.
package enum ScriptedHTTPServer {
    package final class Log: Sendable {
        private let lock = NSLock()
        nonisolated(unsafe) private var seen: [SeenRequest] = []

        func append(_ request: SeenRequest) {
            lock.lock(); defer { lock.unlock() }
            seen.append(request)
        }

        package var requests: [SeenRequest] {
            lock.lock(); defer { lock.unlock() }
            return seen
        }
    }

    package static func run<T: Sendable>(
        _ handler: @escaping @Sendable (SeenRequest) async -> ScriptedResponse,
        _ body: @escaping @Sendable (_ baseURL: String, _ log: Log) async throws -> T
    ) async throws -> T {
        let log = Log()
        let router = Router()
        router.addMiddleware {
            ScriptedMiddleware(handler: handler, log: log)
        }
        return try await LocalHTTPServer.run(router) { base in try await body(base, log) }
    }
}

/// Answers every request (any path, any method) from the handler.
struct ScriptedMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let handler: @Sendable (SeenRequest) async -> ScriptedResponse
    let log: ScriptedHTTPServer.Log

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let bytes = try await request.collectBody(upTo: 4 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let seen = SeenRequest(
            method: request.method.rawValue, path: request.uri.path, query: query, headers: headers, body: String(buffer: bytes))
        log.append(seen)
        let answer = await handler(seen)
        if answer.delay > .zero { try? await Task.sleep(for: answer.delay) }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(
            status: .init(code: answer.status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
