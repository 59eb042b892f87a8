import Foundation

/// One answer of the fake, before it becomes an HTTP response.
struct FakeKubernetesAnswer: Sendable {
    var status: Int
    var contentType = "application/json"
    var body: [UInt8]

    static func json(_ status: Int, _ object: [String: Any]) -> FakeKubernetesAnswer {
        FakeKubernetesAnswer(status: status, body: Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()))
    }

    /// A `Status` failure shaped like the API server's.
    static func failure(_ code: Int, _ reason: String, _ message: String, details: [String: Any]? = nil) -> FakeKubernetesAnswer {
        var object: [String: Any] = [
            "kind": "Status", "apiVersion": "v1", "metadata": [String: Any](), "status": "Failure",
            "message": message, "reason": reason, "code": code,
        ]
        if let details { object["details"] = details }
        return json(code, object)
    }
}

extension FakeKubernetesAPI {
    static let patchTypes = ["application/merge-patch+json", "application/strategic-merge-patch+json"]

    /// Routes one request by its real API path.
    func handle(_ request: ReceivedRequest) -> FakeKubernetesAnswer {
        record(request)
        guard request.authorization == "Bearer \(token)" else {
            return .failure(401, "Unauthorized", "Unauthorized")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        let method = request.method
        switch parts.count {
        // /api/v1/nodes, /api/v1/pods
        case 3 where parts[0] == "api" && parts[2] == "nodes" && method == "GET":
            return guarded("list", "nodes", group: "", namespace: nil) { listNodes() }
        case 3 where parts[0] == "api" && parts[2] == "pods" && method == "GET":
            return guarded("list", "pods", group: "", namespace: nil) { listPods(namespace: nil, request) }
        // /apis/metrics.k8s.io/v1beta1/nodes
        case 4 where parts[0] == "apis" && parts[1] == "metrics.k8s.io" && parts[3] == "nodes" && method == "GET":
            return metrics { guarded("list", "nodes", group: "metrics.k8s.io", namespace: nil) { nodeMetrics() } }
        default: break
        }
        guard parts.count >= 5 else { return notFoundPath() }
        if parts[0] == "api", parts[1] == "v1", parts[2] == "namespaces" {
            return core(method, namespace: parts[3], Array(parts[4...]), request)
        }
        if parts[0] == "apis", parts.count >= 6, parts[3] == "namespaces" {
            let group = parts[1], ns = parts[4], rest = Array(parts[5...])
            switch group {
            case "apps": return apps(method, namespace: ns, rest, request)
            case "batch": return batch(method, namespace: ns, rest, request)
            case "metrics.k8s.io" where rest == ["pods"] && method == "GET":
                return metrics { guarded("list", "pods", group: "metrics.k8s.io", namespace: ns) { podMetrics(namespace: ns, request) } }
            default: break
            }
        }
        return notFoundPath()
    }

    /// What the API server answers for a path it does not serve.
    func notFoundPath() -> FakeKubernetesAnswer { .failure(404, "NotFound", "the server could not find the requested resource") }

    /// 403 when `verb resource` was forbidden, shaped like the RBAC authorizer's message.
    func guarded(
        _ verb: String, _ resource: String, group: String, namespace: String?, name: String? = nil,
        _ body: () -> FakeKubernetesAnswer
    ) -> FakeKubernetesAnswer {
        guard forbidden.contains("\(verb) \(resource)") else { return body() }
        let groupSuffix = group.isEmpty ? "" : ".\(group)"
        let subject = name.map { "\(resource.split(separator: "/")[0])\(groupSuffix) \"\($0)\"" } ?? "\(resource)\(groupSuffix)"
        let scope = namespace.map { " in the namespace \"\($0)\"" } ?? " at the cluster scope"
        return .failure(
            403, "Forbidden",
            "\(subject) is forbidden: User \"\(serviceAccount)\" cannot \(verb) resource \"\(resource)\" in API group \"\(group)\"\(scope)",
            details: ["kind": resource, "group": group])
    }

    func metrics(_ body: () -> FakeKubernetesAnswer) -> FakeKubernetesAnswer {
        switch metricsAPI {
        case .available: return body()
        case .notInstalled: return notFoundPath()
        case .unavailable:
            return .failure(503, "ServiceUnavailable", "the server is currently unable to handle the request")
        }
    }

    /// 415 for a PATCH in a format this resource does not take.
    func unsupportedPatch(_ request: ReceivedRequest) -> FakeKubernetesAnswer? {
        guard let type = request.contentType, Self.patchTypes.contains(type) else {
            return .failure(
                415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
        }
        return nil
    }

    func decodeBody(_ request: ReceivedRequest) -> [String: Any]? { request.json }

    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }
}
