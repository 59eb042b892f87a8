import Foundation
import Hummingbird
import TestSupport

/// What the `/echo` route saw.
struct EchoReply: ResponseCodable {
    var method: String
    var headers: [String: String]
    var body: String
}

/// A Hummingbird server on 127.0.0.1 with an ephemeral port, alive for the duration of `body`.
enum TestHTTPServer {
    static let kubernetesNotFound = """
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
        "message":"deployments.apps \\"web\\" not found","reason":"NotFound",\
        "details":{"name":"web","group":"apps","kind":"deployments"},"code":404}
        """

    static func run<T: Sendable>(_ body: @escaping @Sendable (_ baseURL: String) async throws -> T) async throws -> T {
        try await LocalHTTPServer.run(makeRouter(), body)
    }

    private static func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head] {
            router.on("echo", method: method) { request, _ -> EchoReply in
                var request = request
                let bytes = try await request.collectBody(upTo: 1 << 20)
                var headers: [String: String] = [:]
                for field in request.headers {
                    headers[field.name.canonicalName] = field.value
                }
                return EchoReply(
                    method: request.method.rawValue, headers: headers, body: String(buffer: bytes))
            }
        }
        router.get("slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(3))
            return "late"
        }
        router.get("large") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "a"), count: 1 << 20)))
        }
        router.get("large-chunked") { _, _ -> Response in
            Response(status: .ok, body: .init { writer in
                for _ in 0..<16 {
                    try await writer.write(ByteBuffer(repeating: UInt8(ascii: "b"), count: 64 << 10))
                }
                try await writer.finish(nil)
            })
        }
        router.get("missing") { _, _ -> Response in
            Response(
                status: .notFound,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: kubernetesNotFound)))
        }
        return router
    }
}

