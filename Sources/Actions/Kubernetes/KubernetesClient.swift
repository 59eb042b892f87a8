import Foundation
import HTTPDriver

/// A Kubernetes API error, shown to the operator by the API server's own `message`.
package struct KubernetesError: Error, Sendable, Equatable, CustomStringConvertible {
    package let status: Int?
    package let reason: String?
    package let message: String

    package init(status: Int?, reason: String?, message: String) {
        self.status = status
        self.reason = reason
        self.message = message
    }

    package var description: String { message }
}

/// The Kubernetes API calls the actions need, as kubectl makes them, over libcurl.
/// Typed calls live in `KubernetesClient+<resource>.swift`; this file is the transport.
package struct KubernetesClient: Sendable {
    package let config: KubernetesConfig
    private let http: HTTPClient
    /// How often waits (rollout, scale, job) poll the API: no watch, a GET every interval.
    package let pollInterval: Duration

    package init(config: KubernetesConfig, http: HTTPClient, pollInterval: Duration = .seconds(2)) {
        self.config = config
        self.http = http
        self.pollInterval = pollInterval
    }

    /// The configured namespace, checked as a path segment.
    var namespacePath: String {
        get throws(KubernetesError) { try Self.segment(config.namespace) }
    }

    /// One request; non-2xx answers become `KubernetesError` with the server's `Status.message`.
    /// `query` values are percent-encoded here; paths are built only from checked segments.
    package func send(
        _ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        contentType: String = "application/json", accept: String = "application/json"
    ) async throws(KubernetesError) -> [UInt8] {
        var headers = [("Accept", accept), ("Authorization", "Bearer " + (try config.bearerToken()))]
        if body != nil { headers.append(("Content-Type", contentType)) }
        let queryText = query.isEmpty ? "" : "?" + query.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(
            method: method, url: config.apiURL + path + queryText, headers: headers, body: body,
            timeout: config.timeout, caFile: config.caFile)
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError {
            if error.isTimeout {
                throw KubernetesError(status: nil, reason: "Timeout", message: "the Kubernetes API did not answer within \(config.timeout.shortDescription)")
            }
            throw KubernetesError(status: nil, reason: "Unreachable", message: "cannot reach the Kubernetes API: \(error)")
        } catch is CancellationError {
            throw KubernetesError(status: nil, reason: "Cancelled", message: "the request to the Kubernetes API was cancelled")
        } catch {
            throw KubernetesError(status: nil, reason: "Unreachable", message: "cannot reach the Kubernetes API")
        }
        guard (200..<300).contains(response.status) else { throw Self.failure(response) }
        return response.body
    }

    /// A JSON request decoded into `T`.
    package func decode<T: Decodable>(
        _ type: T.Type, _ method: String, _ path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
        contentType: String = "application/json"
    ) async throws(KubernetesError) -> T {
        let bytes = try await send(method, path, query: query, body: body, contentType: contentType)
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw KubernetesError(status: 200, reason: nil, message: "the Kubernetes API answered with something that is not the expected JSON")
        }
    }

    /// A JSON request with an untyped answer (kept for callers that only need a field or two).
    package func request(
        _ method: String, _ path: String, body: [String: Any]? = nil, contentType: String = "application/json"
    ) async throws(KubernetesError) -> [String: Any] {
        let bytes = body.map { Array((try? JSONSerialization.data(withJSONObject: $0)) ?? Data()) }
        let answer = try await send(method, path, body: bytes, contentType: contentType)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(answer))) as? [String: Any] else {
            throw KubernetesError(status: 200, reason: nil, message: "the Kubernetes API answered with something that is not JSON")
        }
        return object
    }

    /// The server's `Status` when there is one; a plain description of the HTTP status otherwise.
    static func failure(_ response: HTTPResponse) -> KubernetesError {
        let status = try? JSONDecoder().decode(KubernetesStatus.self, from: Data(response.body))
        if response.status == 401 {
            return KubernetesError(
                status: 401, reason: "Unauthorized",
                message: "the Kubernetes API rejected the bot's credentials (401 Unauthorized)")
        }
        if let status, status.kind == "Status", let message = status.message, !message.isEmpty {
            return KubernetesError(status: response.status, reason: status.reason, message: message)
        }
        let reason: String? = switch response.status {
        case 403: "Forbidden"
        case 404: "NotFound"
        case 503: "ServiceUnavailable"
        default: nil
        }
        return KubernetesError(status: response.status, reason: reason, message: "the Kubernetes API answered HTTP \(response.status)")
    }

    /// Names are DNS-1123 subdomains; anything else never reaches a URL.
    package static func segment(_ name: String) throws(KubernetesError) -> String {
        guard KubernetesNames.isValidName(name) else {
            throw KubernetesError(status: nil, reason: "Invalid", message: "`\(name.prefix(60))` is not a valid Kubernetes name")
        }
        return name
    }

    /// RFC 3986 unreserved characters pass; everything else (`=`, `,`, `&`, space…) is %-encoded.
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let unreserved = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57)
                || byte == 45 || byte == 46 || byte == 95 || byte == 126
            if unreserved { out.unicodeScalars.append(UnicodeScalar(byte)) } else { out += String(format: "%%%02X", byte) }
        }
        return out
    }
}

package enum WorkloadKind: String, Sendable, CaseIterable {
    case deployments, statefulsets

    package var singular: String { self == .deployments ? "deployment" : "statefulset" }

    /// `deployment`/`deployments`/`statefulset`/`statefulsets`/`sts`/`deploy`, as an operator may write it.
    package init?(parameter: String) {
        switch parameter.lowercased() {
        case "deployment", "deployments", "deploy": self = .deployments
        case "statefulset", "statefulsets", "sts": self = .statefulsets
        default: return nil
        }
    }
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
