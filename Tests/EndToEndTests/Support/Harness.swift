import Actions
import BotCore
import BotServer
import Engine
import Foundation
import HTTPDriver
import Hummingbird
import HummingbirdTesting
import Logging
import Plugins
import Slack
import PagerDuty
import Store
import Testing
import HTTPTypes

/// The whole bot in-process: listener (live HTTP), core, SQLite store, a fake Kubernetes API and a response_url sink.
struct Harness: Sendable {
    static let secret = "e2e-signing-secret-0123456789"
    static let pagerDutySecret = "e2e-pagerduty-webhook-secret-42"
    let store: HybridStore
    let kubernetes: FakeKubernetes
    let sink: ResponseURLSink
    let sinkPort: Int
    let processor: CommandProcessor
    let client: any TestClientProtocol
    let directory: URL

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Shipped plugins and permissions unless a table/policy is given. Pass `databaseDirectory` to keep the
    /// SQLite file across two runs (a restart); otherwise a fresh temp directory is used and removed.
    static func run(
        table: CommandTable? = nil, policy: PermissionPolicy? = nil, kubernetesTimeout: Duration = .seconds(5),
        kubernetesConfigured: Bool = true, redactorSecrets: [String] = [], redisURL: String = "redis://127.0.0.1:1/0",
        slack: FakeSlackWebAPI? = nil, clock: TestClock = TestClock(), databaseDirectory: URL? = nil,
        settings: [String: String] = [:], pagerDutyRetry: RetryPolicy = RetryPolicy(maxDelay: .milliseconds(50)),
        _ body: @Sendable (Harness) async throws -> Void
    ) async throws {
        let directory = databaseDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-e2e-\(UUID().uuidString)")
        defer { if databaseDirectory == nil { try? FileManager.default.removeItem(at: directory) } }
        let root = repositoryRoot.path
        let loadedTable = table ?? PluginLoader.load(directory: root + "/plugins", knownActions: ActionCatalog.names.union(PagerDutyActionNames.all)).table
        let loadedPolicy = try policy ?? #require(PermissionsLoader.load(path: root + "/permissions.yaml").policy)
        let redactor = SecretRedactor(secrets: [secret, "test-token-abcdef", pagerDutySecret] + redactorSecrets)
        let store = try await HybridStore.open(path: directory.appendingPathComponent("bot.sqlite").path, redactor: redactor)
        let http = HTTPClient(threads: 4)
        let kubernetes = FakeKubernetes()
        let sink = ResponseURLSink()
        let logger = { var l = Logger(label: "e2e"); l.logLevel = .error; return l }()

        let slackFake = slack ?? FakeSlackWebAPI()
        try await LocalServer.with(kubernetes.router()) { k8sPort in
          try await LocalServer.with(slackFake.router()) { slackPort in
            try await LocalServer.with(sink.router()) { sinkPort in
                let k8sConfig = KubernetesConfig(
                    apiURL: "http://127.0.0.1:\(k8sPort)", token: .value(kubernetes.token), caFile: nil,
                    namespace: kubernetes.namespace, timeout: kubernetesTimeout)
                let redis = RedisTarget(url: redisURL, timeout: .seconds(2))
                // The shipped catalog against the fakes; the first actions given win (Kubernetes and Redis with test timeouts).
                var wired = [
                    "KUBERNETES_API_URL": "http://127.0.0.1:\(k8sPort)", "KUBERNETES_TOKEN": kubernetes.token,
                    "KUBERNETES_NAMESPACE": kubernetes.namespace, "REDIS_URL": redisURL,
                    "PROMETHEUS_URL": "http://127.0.0.1:1", "HYBRID_API_URL": "http://127.0.0.1:1", "DATABASE_URL": "postgresql://127.0.0.1:1/hybrid_ai",
                ]
                wired.merge(settings) { _, new in new }
                let web = slack.map { _ in
                    SlackWebAPI(http: http, baseURL: "http://127.0.0.1:\(slackPort)/api", token: FakeSlackWebAPI.token)
                }
                let poster = SlackPoster(web: web, responseURLs: ResponseURLClient(http: http), redactor: redactor, logger: logger)
                let pagerDuty = PagerDutyIntegration.configured(
                    settings: wired, http: http, incidents: IncidentSettings(channel: wired["PAGERDUTY_SLACK_CHANNEL"]), policy: loadedPolicy,
                    store: store, poster: poster, logger: logger, retry: pagerDutyRetry, now: { clock.now })
                let actions = ActionRegistry([
                    KubernetesScale(client: kubernetesConfigured ? KubernetesClient(config: k8sConfig, http: http) : nil),
                    RedisDBSize(target: redis), RedisFlushDB(target: redis),
                ] + ActionCatalog.actions(settings: wired, http: http) + pagerDuty.actions)
                let processor = CommandProcessor(
                    table: loadedTable, policy: loadedPolicy, actions: actions, store: store, poster: poster,
                    slashCommand: "/hybrid", logger: logger, now: { clock.now }, pagerDuty: pagerDuty)
                let queue = DeliveryQueue()
                let core = Task { try await CoreService(processor: processor, queue: queue, inbox: SQLiteInbox(store: store), logger: logger).run() }
                let deps = ListenerDependencies(
                    signingSecret: secret, slashCommand: "/hybrid", store: store, queue: queue,
                    pagerDutySecrets: (wired["PAGERDUTY_WEBHOOK_SECRETS"] ?? pagerDutySecret).split(separator: ",").map(String.init))
                let app = Application(router: buildRouter(deps), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
                try await app.test(.live) { client in
                    try await body(Harness(
                        store: store, kubernetes: kubernetes, sink: sink, sinkPort: sinkPort, processor: processor,
                        client: client, directory: directory))
                }
                queue.finish()
                _ = try? await core.value
                await redis.client?.close()
            }
          }
        }
        await http.shutdown()
        await store.close()
    }

    func responseURL(_ id: String) -> String { "http://127.0.0.1:\(sinkPort)/response/\(id)" }

    /// The form Slack posts for a slash command, percent-encoded.
    func commandForm(user: String, channel: String = "C0LOCAL", text: String, id: String, command: String = "/hybrid") -> String {
        let fields = [
            ("token", "ignored"), ("team_id", "T0TEST"), ("team_domain", "test"), ("channel_id", channel),
            ("channel_name", "ops"), ("user_id", user), ("user_name", "someone"), ("command", command), ("text", text),
            ("response_url", responseURL(id)), ("trigger_id", "trigger.\(id)"), ("api_app_id", "A0TEST"),
        ]
        return FormFields.encode(fields)
    }

    static func escape(_ s: String) -> String { FormFields.escape(s) }

    /// POSTs `body` to /slack/commands signed as Slack would (or as told).
    @discardableResult
    func post(
        _ body: String, path: String = "/slack/commands", secret: String = Harness.secret, timestampOffset: Int64 = 0,
        contentType: String = "application/x-www-form-urlencoded", signature: String? = nil
    ) async throws -> TestResponse {
        let timestamp = String(Int64(Date().timeIntervalSince1970) + timestampOffset)
        let signed = signature ?? SlackSignature(secret: secret).signature(timestamp: timestamp, body: Array(body.utf8))
        var headers: HTTPFields = [.contentType: contentType]
        headers[HTTPField.Name("X-Slack-Request-Timestamp")!] = timestamp
        headers[HTTPField.Name("X-Slack-Signature")!] = signed
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// Sends a slash command and waits for the first follow-up message.
    func say(_ text: String, as user: String, channel: String = "C0LOCAL", id: String = UUID().uuidString) async throws -> (ack: TestResponse, replies: [SlackMessage]) {
        let ack = try await post(commandForm(user: user, channel: channel, text: text, id: id))
        let replies = await sink.wait(for: id)
        return (ack, replies)
    }

    /// POSTs a signed block_actions click, as Slack does when a button is pressed.
    @discardableResult
    func click(_ actionID: String, value: String?, as user: String, channel: String = "C0LOCAL", id: String = UUID().uuidString,
               actionTS: String? = nil) async throws -> TestResponse {
        let payload = BlockActionsPayload(
            user: .init(id: user, username: "someone", teamID: "T0TEST"), channel: .init(id: channel),
            container: .init(type: "message", messageTS: "1700000000.1001", channelID: channel), message: .init(ts: "1700000000.1001", threadTS: nil),
            responseURL: responseURL(id), triggerID: "trigger.\(id)",
            actions: [.init(actionID: actionID, blockID: "approval", value: value, type: "button",
                            actionTS: actionTS ?? String(format: "%.6f", Date().timeIntervalSince1970))])
        let json = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        return try await post("payload=" + Self.escape(json), path: "/slack/interactions")
    }

    var sweeper: ApprovalSweeper { ApprovalSweeper(flow: processor.approvals, logger: Logger(label: "sweeper")) }

    func auditKinds() async throws -> [String] {
        try await store.auditRecords().map(\.kind)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}
