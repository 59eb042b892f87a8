import Foundation

/// How to reach the Kubernetes API: explicit settings, or the in-cluster service account.
package struct KubernetesConfig: Sendable, Equatable {
    package var apiURL: String
    package var token: Token
    package var caFile: String?
    package var namespace: String
    package var timeout: Duration

    /// The bearer token, held by value or read from a file on each use (service-account tokens rotate).
    package enum Token: Sendable, Equatable {
        case value(String)
        case file(String)
    }

    package static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"
    package static let notConfiguredMessage =
        "Kubernetes is not configured (set KUBERNETES_API_URL and KUBERNETES_TOKEN or KUBERNETES_TOKEN_FILE, or run the bot in the cluster)."

    package init(apiURL: String, token: Token, caFile: String?, namespace: String = "hybrid-ai", timeout: Duration = .seconds(10)) {
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.token = token
        self.caFile = caFile
        self.namespace = namespace
        self.timeout = timeout
    }

    /// nil when nothing says where a cluster is.
    package static func resolve(
        environment env: [String: String], fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> KubernetesConfig? {
        let namespace = env["KUBERNETES_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "hybrid-ai"
        let saToken = serviceAccountDirectory + "/token"
        let saCA = serviceAccountDirectory + "/ca.crt"
        let token: Token?
        if let value = env["KUBERNETES_TOKEN"], !value.isEmpty { token = .value(value) }
        else if let file = env["KUBERNETES_TOKEN_FILE"], !file.isEmpty { token = .file(file) }
        else if fileExists(saToken) { token = .file(saToken) }
        else { token = nil }

        if let url = env["KUBERNETES_API_URL"], !url.isEmpty {
            let ca = env["KUBERNETES_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? (fileExists(saCA) ? saCA : nil)
            return KubernetesConfig(apiURL: url, token: token ?? .value(""), caFile: ca, namespace: namespace)
        }
        if let host = env["KUBERNETES_SERVICE_HOST"], !host.isEmpty, let token {
            let port = env["KUBERNETES_SERVICE_PORT"] ?? "443"
            let hostPart = host.contains(":") ? "[\(host)]" : host
            let ca = env["KUBERNETES_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? saCA
            return KubernetesConfig(apiURL: "https://\(hostPart):\(port)", token: token, caFile: ca, namespace: namespace)
        }
        return nil
    }

    /// The token text, for the Authorization header only.
    func bearerToken() throws(KubernetesError) -> String {
        switch token {
        case .value(let v): return v
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
            else { throw KubernetesError(status: nil, reason: "Unauthorized", message: "cannot read the token file \(path)") }
            return text
        }
    }
}
