import Foundation
import Hummingbird

/// A Kubernetes API server that speaks the real wire format for the scale subresource:
/// Bearer auth, merge-patch content type, `Scale` objects, `Status` failures.
actor FakeKubernetes {
    struct ReceivedRequest: Sendable {
        let method: String
        let path: String
        let contentType: String?
        let authorization: String?
        let body: [String: JSONScalar]
    }

    enum JSONScalar: Sendable, Equatable { case int(Int), string(String), other }

    enum Mode: Sendable { case normal, forbidden, slow(Duration), notJSON }

    private(set) var requests: [ReceivedRequest] = []
    private var replicas: [String: Int] = ["api-gateway": 3, "ai-orchestrator": 2]
    private var mode: Mode = .normal
    let token: String
    let namespace: String

    init(token: String = "test-token-abcdef", namespace: String = "hybrid-ai") {
        self.token = token
        self.namespace = namespace
    }

    func set(mode: Mode) { self.mode = mode }
    func remove(_ name: String) { replicas[name] = nil }
    func replicaCount(_ name: String) -> Int? { replicas[name] }

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.patch("/apis/apps/v1/namespaces/:ns/deployments/:name/scale") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            return await self.scale(
                request: request, namespace: context.parameters.get("ns") ?? "", name: context.parameters.get("name") ?? "",
                body: Array(body.readableBytesView))
        }
        return router
    }

    private func scale(request: Request, namespace: String, name: String, body: [UInt8]) async -> Response {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let spec = object?["spec"] as? [String: Any]
        var flat: [String: JSONScalar] = [:]
        if let r = spec?["replicas"] as? Int { flat["spec.replicas"] = .int(r) }
        requests.append(ReceivedRequest(
            method: request.method.rawValue, path: request.uri.path, contentType: request.headers[.contentType],
            authorization: request.headers[.authorization], body: flat))
        switch mode {
        case .slow(let d):
            try? await Task.sleep(for: d)
        case .notJSON:
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "<html>proxy</html>")))
        case .forbidden:
            return status(403, "Forbidden", "deployments.apps \"\(name)\" is forbidden: User \"system:serviceaccount:hybrid-ai:hybridbot\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"\(namespace)\"")
        case .normal:
            break
        }
        guard request.headers[.authorization] == "Bearer \(token)" else { return status(401, "Unauthorized", "Unauthorized") }
        guard request.headers[.contentType] == "application/merge-patch+json" else {
            return status(415, "UnsupportedMediaType", "the body of the request was in an unknown format")
        }
        guard namespace == self.namespace, let current = replicas[name] else {
            return status(404, "NotFound", "deployments.apps \"\(name)\" not found")
        }
        guard let wanted = spec?["replicas"] as? Int else { return status(422, "Invalid", "spec.replicas: Required value") }
        replicas[name] = wanted
        let scale: [String: Any] = [
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": ["name": name, "namespace": namespace],
            "spec": ["replicas": wanted], "status": ["replicas": current, "selector": "app=\(name)"],
        ]
        return json(200, scale)
    }

    private func status(_ code: Int, _ reason: String, _ message: String) -> Response {
        json(code, ["kind": "Status", "apiVersion": "v1", "metadata": [:] as [String: Any], "status": "Failure",
                    "message": message, "reason": reason, "code": code])
    }

    private func json(_ code: Int, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(
            status: .init(code: code), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
