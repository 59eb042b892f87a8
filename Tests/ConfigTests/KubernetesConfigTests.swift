import Actions
import Testing

@Suite("KubernetesConfig.resolve")
struct KubernetesConfigTests {
    static let saToken = KubernetesConfig.serviceAccountDirectory + "/token"
    static let saCA = KubernetesConfig.serviceAccountDirectory + "/ca.crt"

    static let noFiles: @Sendable (String) -> Bool = { _ in false }
    static let serviceAccount: @Sendable (String) -> Bool = { $0 == saToken || $0 == saCA }

    @Test("the service account lives at the standard path")
    func serviceAccountPath() {
        #expect(KubernetesConfig.serviceAccountDirectory == "/var/run/secrets/kubernetes.io/serviceaccount")
    }

    @Test("nothing set: not configured", arguments: [
        [:], ["KUBERNETES_API_URL": ""], ["KUBERNETES_TOKEN": "t-123"], ["KUBERNETES_NAMESPACE": "prod"],
        ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"],
        ["KUBERNETES_SERVICE_HOST": "", "KUBERNETES_TOKEN": "t-123"],
    ] as [[String: String]])
    func notConfigured(env: [String: String]) {
        #expect(KubernetesConfig.resolve(environment: env, fileExists: Self.noFiles) == nil)
    }

    @Test("API URL and token: a token by value, default namespace hybrid-ai")
    func explicitToken() throws {
        let config = try #require(KubernetesConfig.resolve(
            environment: ["KUBERNETES_API_URL": "https://k8s.example:6443", "KUBERNETES_TOKEN": "tok-123456"],
            fileExists: Self.noFiles))
        #expect(config.apiURL == "https://k8s.example:6443")
        #expect(config.token == .value("tok-123456"))
        #expect(config.namespace == "hybrid-ai")
        #expect(config.caFile == nil)
        #expect(config.timeout == .seconds(10))
    }

    @Test("token file, CA file and namespace are taken as given")
    func tokenFile() throws {
        let config = try #require(KubernetesConfig.resolve(
            environment: [
                "KUBERNETES_API_URL": "https://k8s.example", "KUBERNETES_TOKEN_FILE": "/etc/bot/k8s-token",
                "KUBERNETES_CA_FILE": "/etc/bot/ca.pem", "KUBERNETES_NAMESPACE": "staging",
            ],
            fileExists: Self.serviceAccount))
        #expect(config.token == .file("/etc/bot/k8s-token"))
        #expect(config.caFile == "/etc/bot/ca.pem")
        #expect(config.namespace == "staging")
    }

    @Test("a token value wins over a token file; empty values count as unset")
    func tokenPrecedence() throws {
        let both = try #require(KubernetesConfig.resolve(
            environment: ["KUBERNETES_API_URL": "https://k", "KUBERNETES_TOKEN": "tok-123456", "KUBERNETES_TOKEN_FILE": "/f"],
            fileExists: Self.noFiles))
        #expect(both.token == .value("tok-123456"))
        let emptyValue = try #require(KubernetesConfig.resolve(
            environment: ["KUBERNETES_API_URL": "https://k", "KUBERNETES_TOKEN": "", "KUBERNETES_TOKEN_FILE": "/f",
                          "KUBERNETES_NAMESPACE": ""],
            fileExists: Self.noFiles))
        #expect(emptyValue.token == .file("/f"))
        #expect(emptyValue.namespace == "hybrid-ai")
    }

    @Test("API URL with the service account mounted uses its token file and CA")
    func explicitURLWithServiceAccount() throws {
        let config = try #require(KubernetesConfig.resolve(
            environment: ["KUBERNETES_API_URL": "https://k8s.example"], fileExists: Self.serviceAccount))
        #expect(config.token == .file(Self.saToken))
        #expect(config.caFile == Self.saCA)
    }

    @Test("in the cluster: https://host:port, service-account token and CA", arguments: [
        ("10.96.0.1", "443", "https://10.96.0.1:443"),
        ("kubernetes.default.svc", "6443", "https://kubernetes.default.svc:6443"),
        ("fd00:10:96::1", "443", "https://[fd00:10:96::1]:443"),
        ("::1", "8443", "https://[::1]:8443"),
    ])
    func inCluster(host: String, port: String, url: String) throws {
        let config = try #require(KubernetesConfig.resolve(
            environment: ["KUBERNETES_SERVICE_HOST": host, "KUBERNETES_SERVICE_PORT": port],
            fileExists: { $0 == Self.saToken }))
        #expect(config.apiURL == url)
        #expect(config.token == .file(Self.saToken))
        #expect(config.caFile == Self.saCA)
        #expect(config.namespace == "hybrid-ai")
    }

    @Test("in the cluster without a port: 443")
    func inClusterDefaultPort() throws {
        let config = try #require(KubernetesConfig.resolve(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"], fileExists: Self.serviceAccount))
        #expect(config.apiURL == "https://10.96.0.1:443")
    }

    @Test("in the cluster, explicit token and CA still win")
    func inClusterOverrides() throws {
        let config = try #require(KubernetesConfig.resolve(
            environment: [
                "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443",
                "KUBERNETES_TOKEN": "tok-123456", "KUBERNETES_CA_FILE": "/etc/ca.pem",
            ],
            fileExists: Self.noFiles))
        #expect(config.token == .value("tok-123456"))
        #expect(config.caFile == "/etc/ca.pem")
    }

    @Test("an explicit API URL wins over the in-cluster service address")
    func explicitURLWins() throws {
        let config = try #require(KubernetesConfig.resolve(
            environment: [
                "KUBERNETES_API_URL": "https://outside.example", "KUBERNETES_TOKEN": "tok-123456",
                "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443",
            ],
            fileExists: Self.serviceAccount))
        #expect(config.apiURL == "https://outside.example")
        #expect(config.token == .value("tok-123456"))
    }

    @Test("a trailing slash of the API URL is trimmed", arguments: [
        ("https://k8s.example:6443/", "https://k8s.example:6443"),
        ("https://k8s.example:6443", "https://k8s.example:6443"),
        ("https://rancher.example/k8s/clusters/c-1/", "https://rancher.example/k8s/clusters/c-1"),
    ])
    func trailingSlash(input: String, expected: String) throws {
        let config = try #require(KubernetesConfig.resolve(
            environment: ["KUBERNETES_API_URL": input, "KUBERNETES_TOKEN": "tok-123456"], fileExists: Self.noFiles))
        #expect(config.apiURL == expected)
        #expect(KubernetesConfig(apiURL: input, token: .value("t"), caFile: nil).apiURL == expected)
    }
}
