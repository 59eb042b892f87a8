import Foundation
import HTTPDriver

/// A Kubernetes API error, shown to the operator by the API server's own `message`.
package struct KubernetesError: Error, Sendable, Equatable, CustomStringConvertible {
    package let status: Int?
    package let reason: String?
    package let message: String

    package var description: String { message }
}

/// The few Kubernetes API calls the actions need, as kubectl makes them, over libcurl.
package struct KubernetesClient: Sendable {
    package let config: KubernetesConfig
    private let http: HTTPClient

    package init(config: KubernetesConfig, http: HTTPClient) {
        self.config = config
        self.http = http
    }

    /// A JSON request against the API server; Status failures become `KubernetesError` with the server's message.
    package func request(
        _ method: String, _ path: String, body: [String: Any]? = nil, contentType: String = "application/json"
    ) async throws(KubernetesError) -> [String: Any] {
        var headers = [("Accept", "application/json"), ("Authorization", "Bearer " + (try config.bearerToken()))]
        var bytes: [UInt8]?
        if let body {
            headers.append(("Content-Type", contentType))
            bytes = Array((try? JSONSerialization.data(withJSONObject: body)) ?? Data())
        }
        let request = HTTPRequest(
            method: method, url: config.apiURL + path, headers: headers, body: bytes, timeout: config.timeout, caFile: config.caFile)
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError {
            if error.isTimeout {
                throw KubernetesError(status: nil, reason: "Timeout", message: "the Kubernetes API did not answer within \(config.timeout.shortDescription)")
            }
            throw KubernetesError(status: nil, reason: "Unreachable", message: "cannot reach the Kubernetes API: \(error)")
        } catch {
            throw KubernetesError(status: nil, reason: "Unreachable", message: "cannot reach the Kubernetes API")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        guard (200..<300).contains(response.status) else {
            if let object, object["kind"] as? String == "Status", let message = object["message"] as? String {
                throw KubernetesError(status: response.status, reason: object["reason"] as? String, message: message)
            }
            throw KubernetesError(status: response.status, reason: nil, message: "the Kubernetes API answered HTTP \(response.status)")
        }
        guard let object else {
            throw KubernetesError(status: response.status, reason: nil, message: "the Kubernetes API answered with something that is not JSON")
        }
        return object
    }

    /// `kubectl scale`: PATCH the scale subresource with a merge patch.
    package func scale(kind: WorkloadKind, name: String, replicas: Int) async throws(KubernetesError) -> ScaleResult {
        let path = "/apis/apps/v1/namespaces/\(try Self.segment(config.namespace))/\(kind.rawValue)/\(try Self.segment(name))/scale"
        let object = try await request(
            "PATCH", path, body: ["spec": ["replicas": replicas]], contentType: "application/merge-patch+json")
        let spec = object["spec"] as? [String: Any]
        let status = object["status"] as? [String: Any]
        return ScaleResult(desired: (spec?["replicas"] as? Int) ?? replicas, current: status?["replicas"] as? Int)
    }

    /// Names are DNS-1123 labels; anything else never reaches a URL.
    static func segment(_ name: String) throws(KubernetesError) -> String {
        let ok = (1...253).contains(name.utf8.count) && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 }
            && name.first != "-" && name.last != "-"
        guard ok else { throw KubernetesError(status: nil, reason: "Invalid", message: "`\(name.prefix(60))` is not a valid Kubernetes name") }
        return name
    }
}

package enum WorkloadKind: String, Sendable {
    case deployments, statefulsets

    package var singular: String { self == .deployments ? "deployment" : "statefulset" }
}

package struct ScaleResult: Sendable, Equatable {
    package let desired: Int
    package let current: Int?
}

extension Duration {
    /// `10s`, `1.5s`, `250ms`: for messages.
    package var shortDescription: String {
        let ms = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        if ms >= 1000 { return "\(Double(ms) / 1000)s" }
        return "\(ms)ms"
    }
}
