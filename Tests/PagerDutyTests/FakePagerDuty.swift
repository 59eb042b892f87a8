import Foundation
import Hummingbird
import TestSupport

/// One scripted answer of the fake.
struct FakeReply: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: String = ""
}

/// What the fake saw: names lowercased, body as text.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    var query: String
    var headers: [String: String]
    var body: String
}

/// Scripted replies per "METHOD /path" (FIFO; the last one repeats) and every request seen.
actor FakePagerDutyState {
    private(set) var requests: [RecordedRequest] = []
    private var script: [String: [FakeReply]]

    init(script: [String: [FakeReply]]) { self.script = script }

    func answer(_ request: RecordedRequest) -> FakeReply {
        requests.append(request)
        let key = "\(request.method) \(request.path)"
        guard var replies = script[key], !replies.isEmpty else {
            return FakeReply(status: 404, body: #"{"error":{"message":"Not Found","code":2100}}"#)
        }
        let reply = replies.removeFirst()
        script[key] = replies.isEmpty ? [reply] : replies
        return reply
    }
}

/// A fake PagerDuty (REST + Events) on 127.0.0.1, ephemeral port, alive for `body`.
enum FakePagerDuty {
    static func run<T: Sendable>(
        _ script: [String: [FakeReply]],
        _ body: @escaping @Sendable (_ baseURL: String, _ state: FakePagerDutyState) async throws -> T
    ) async throws -> T {
        let state = FakePagerDutyState(script: script)
        return try await LocalHTTPServer.run(makeRouter(state)) { base in try await body(base, state) }
    }

    private static func makeRouter(_ state: FakePagerDutyState) -> Router<BasicRequestContext> {
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            let recorded = RecordedRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                headers: headers, body: String(buffer: bytes))
            let reply = await state.answer(recorded)
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            for (name, value) in reply.headers {
                if let name = HTTPFields.Element.Name(name) { fields[name] = value }
            }
            return Response(
                status: .init(code: reply.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: reply.body)))
        }
        router.get("incidents", use: handler)
        router.get("incidents/:id", use: handler)
        router.put("incidents/:id", use: handler)
        router.post("v2/enqueue", use: handler)
        return router
    }
}


/// Records the waits a ``RetryPolicy`` asked for, without waiting.
actor SleepRecorder {
    private(set) var waits: [Duration] = []
    func record(_ duration: Duration) { waits.append(duration) }
}
