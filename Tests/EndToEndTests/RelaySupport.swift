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
import RelayClient
import Slack
import Store
import Synchronization
import Testing

/// A relay deployment in process: the relay (listener + relay API, `queue: nil`) on a real loopback port over a temp
/// SQLite store, the fake Kubernetes API and the response_url sink of `Harness`, and cores (`CommandProcessor` over
/// `RemoteStore`, `LeasePoller` over `RemoteInbox`) that reach the relay over HTTP through libcurl, as `hybridbot core` does.
///
/// `harness` is the ordinary `Harness` pointed at the relay: its `say`/`post`/`click` go to the relay's Slack routes
/// and its `store` is the relay's database.
struct RelayBed: Sendable {
    static let token = "relay-token-0123456789abcdef-e2e"
    static let redisURL = "redis://127.0.0.1:1/0"
    /// Silent unless RELAY_E2E_DEBUG is set (then everything: the relay, the cores, the store calls).
    static let quiet: Logger = { var l = Logger(label: "relay-e2e"); l.logLevel = ProcessInfo.processInfo.environment["RELAY_E2E_DEBUG"] != nil ? .trace : .critical; return l }()

    let harness: Harness
    let inbox: SQLiteInbox
    let baseURL: String
    let lease: Duration
    /// Raw calls of the tests (several long-polls at once).
    let http: HTTPClient
    /// The cores' store calls and their long-polls, on separate threads as in `hybridbot core`.
    let coreHTTP: HTTPClient
    let pollHTTP: HTTPClient
    let processors: [String: CommandProcessor]
    let policy: PermissionPolicy
    /// The cores started by the test: stopped (and waited for) when it ends, before the HTTP clients shut down.
    let started: StartedCores

    var store: HybridStore { harness.store }
    var kubernetes: FakeKubernetes { harness.kubernetes }
    var sink: ResponseURLSink { harness.sink }

    /// `cores`: the names of the cores to wire (not started: see `startCore`).
    static func run(
        lease: Duration = .seconds(30), cores: [String] = [], kubernetesTimeout: Duration = .seconds(5),
        _ body: @Sendable (RelayBed) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-relay-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = Harness.repositoryRoot.path
        let table = PluginLoader.load(directory: root + "/plugins", knownActions: ActionCatalog.names.union(PagerDutyActionNames.all)).table
        let policy = try #require(PermissionsLoader.load(path: root + "/permissions.yaml").policy)
        let redactor = SecretRedactor(secrets: [Harness.secret, "test-token-abcdef", token])
        let store = try await HybridStore.open(path: directory.appendingPathComponent("relay.sqlite").path, redactor: redactor)
        let http = HTTPClient(threads: 8), coreHTTP = HTTPClient(threads: 8), pollHTTP = HTTPClient(threads: 4)
        let kubernetes = FakeKubernetes()
        let sink = ResponseURLSink()
        let redis = RedisTarget(url: redisURL, timeout: .seconds(1))
        let inbox = SQLiteInbox(store: store)
        do {
            try await LocalServer.with(kubernetes.router()) { k8sPort in
                try await LocalServer.with(sink.router()) { sinkPort in
                    let deps = ListenerDependencies(
                        signingSecret: Harness.secret, slashCommand: "/hybrid", store: store, queue: nil, inbox: inbox,
                        relayToken: token, leaseDuration: lease)
                    let app = Application(router: buildRouter(deps), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: quiet)
                    try await app.test(.live) { client in
                        let port = try #require(client.port)
                        let baseURL = "http://127.0.0.1:\(port)"
                        var processors: [String: CommandProcessor] = [:]
                        for name in cores {
                            let connection = RelayConnection(
                                baseURL: baseURL, token: token, core: name, http: coreHTTP, pollHTTP: pollHTTP, logger: quiet)
                            processors[name] = Self.processor(
                                store: RemoteStore(relay: connection, redactor: redactor), table: table, policy: policy, redactor: redactor, http: coreHTTP,
                                kubernetes: kubernetes, k8sPort: k8sPort, kubernetesTimeout: kubernetesTimeout, redis: redis)
                        }
                        // The harness' own processor runs against the relay's store (for tests that process by hand).
                        let local = Self.processor(
                            store: store, table: table, policy: policy, redactor: redactor, http: coreHTTP, kubernetes: kubernetes,
                            k8sPort: k8sPort, kubernetesTimeout: kubernetesTimeout, redis: redis)
                        let harness = Harness(
                            store: store, kubernetes: kubernetes, sink: sink, sinkPort: sinkPort, processor: local, client: client,
                            directory: directory)
                        let bed = RelayBed(
                            harness: harness, inbox: inbox, baseURL: baseURL, lease: lease, http: http, coreHTTP: coreHTTP,
                            pollHTTP: pollHTTP, processors: processors, policy: policy, started: StartedCores())
                        do {
                            try await body(bed)
                        } catch {
                            await bed.started.stopAll()
                            throw error
                        }
                        await bed.started.stopAll()
                    }
                }
            }
        } catch {
            await Self.close(http, coreHTTP, pollHTTP, redis, store)
            throw error
        }
        await Self.close(http, coreHTTP, pollHTTP, redis, store)
    }

    private static func close(_ http: HTTPClient, _ coreHTTP: HTTPClient, _ pollHTTP: HTTPClient, _ redis: RedisTarget, _ store: HybridStore) async {
        await http.shutdown()
        await coreHTTP.shutdown()
        await pollHTTP.shutdown()
        await redis.client?.close()
        await store.close()
    }

    /// The shipped catalog against the fakes, as `Harness` wires it (no Slack Web API, no PagerDuty).
    static func processor(
        store: any BotStore, table: CommandTable, policy: PermissionPolicy, redactor: SecretRedactor, http: HTTPClient,
        kubernetes: FakeKubernetes, k8sPort: Int, kubernetesTimeout: Duration, redis: RedisTarget
    ) -> CommandProcessor {
        let settings = [
            "KUBERNETES_API_URL": "http://127.0.0.1:\(k8sPort)", "KUBERNETES_TOKEN": kubernetes.token,
            "KUBERNETES_NAMESPACE": kubernetes.namespace, "REDIS_URL": redisURL,
            "PROMETHEUS_URL": "http://127.0.0.1:1", "HYBRID_API_URL": "http://127.0.0.1:1", "DATABASE_URL": "postgresql://127.0.0.1:1/hybrid_ai",
        ]
        let k8s = KubernetesConfig(
            apiURL: "http://127.0.0.1:\(k8sPort)", token: .value(kubernetes.token), caFile: nil, namespace: kubernetes.namespace,
            timeout: kubernetesTimeout)
        let poster = SlackPoster(web: nil, responseURLs: ResponseURLClient(http: http), redactor: redactor, logger: quiet)
        let actions = ActionRegistry([
            KubernetesScale(client: KubernetesClient(config: k8s, http: http)), RedisDBSize(target: redis), RedisFlushDB(target: redis),
        ] + ActionCatalog.actions(settings: settings, http: http))
        return CommandProcessor(
            table: table, policy: policy, actions: actions, store: store, poster: poster, slashCommand: "/hybrid", logger: quiet)
    }

    // MARK: cores

    func connection(_ core: String, via url: String? = nil) -> RelayConnection {
        RelayConnection(baseURL: url ?? baseURL, token: Self.token, core: core, http: coreHTTP, pollHTTP: pollHTTP, logger: Self.quiet)
    }

    /// Starts core `name`'s `LeasePoller` (long-polls of `wait`, whole seconds); cancel the task to stop it gracefully
    /// (drain, release).
    func startCore(_ name: String, wait: Duration = .seconds(1), drainDeadline: Duration = .seconds(5)) throws -> Task<Void, Never> {
        let processor = try #require(processors[name], "core \(name) was not wired")
        let poller = LeasePoller(
            processor: processor, inbox: RemoteInbox(relay: connection(name)), owner: name, lease: lease, wait: wait,
            drainDeadline: drainDeadline, logger: Self.quiet)
        let task = Task { _ = try? await poller.run() }
        started.add(task)
        return task
    }

    // MARK: raw relay calls

    struct Reply: Sendable {
        let status: Int
        let body: [UInt8]
        let headers: [(String, String)]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }
    }

    /// `nil` auth: no Authorization header at all.
    static func authorization(_ token: String = RelayBed.token) -> String? { "Bearer " + token }

    func get(_ path: String, auth: String? = RelayBed.authorization(), timeout: Duration = .seconds(30)) async throws -> Reply {
        try await send("GET", path, body: nil, contentType: nil, auth: auth, timeout: timeout)
    }

    func post(
        _ path: String, body: [UInt8] = [], contentType: String? = nil, auth: String? = RelayBed.authorization(),
        timeout: Duration = .seconds(30)
    ) async throws -> Reply {
        try await send("POST", path, body: body, contentType: contentType, auth: auth, timeout: timeout)
    }

    func send(_ method: String, _ path: String, body: [UInt8]?, contentType: String?, auth: String?, timeout: Duration) async throws -> Reply {
        var headers: [(String, String)] = []
        if let auth { headers.append(("Authorization", auth)) }
        if let contentType { headers.append(("Content-Type", contentType)) }
        let response = try await http.execute(HTTPDriver.HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body, timeout: timeout))
        return Reply(status: response.status, body: response.body, headers: response.headers)
    }

    struct Batch: Decodable, Sendable {
        let events: [StoredDelivery]
        let cursor: Int64?
    }

    /// `GET /relay/v1/events`; the batch when the answer is 200, and how long the call took.
    func events(core: String, after: Int64? = nil, wait: Double? = nil, limit: Int? = nil) async throws -> (batch: Batch, took: Duration) {
        var query = "core=\(core)"
        if let after { query += "&after=\(after)" }
        if let wait { query += "&wait=\(wait)" }
        if let limit { query += "&limit=\(limit)" }
        let started = ContinuousClock.now
        let reply = try await get("/relay/v1/events?" + query)
        let took = ContinuousClock.now - started
        try #require(reply.status == 200, "events: \(reply.status) \(reply.text)")
        return (try JSONDecoder().decode(Batch.self, from: Data(reply.body)), took)
    }

    /// Stores deliveries through the relay's inbox (as its Slack routes do: waiting long-polls wake up).
    @discardableResult
    func storeDeliveries(_ count: Int, prefix: String = UUID().uuidString, kind: String = "test") async throws -> [StoredDelivery] {
        var stored: [StoredDelivery] = []
        for i in 0..<count {
            let result = try await inbox.store(kind: kind, key: "\(prefix)-\(i)", payload: "{}", audit: nil)
            guard case .stored(let delivery) = result else {
                Issue.record("not stored: \(result)")
                continue
            }
            stored.append(delivery)
        }
        return stored
    }

    /// Stores a slash command delivery at the relay exactly as `/slack/commands` would (key, payload, `command` audit).
    func storeCommand(_ text: String, as user: String, id: String) async throws -> StoredDelivery {
        let command = SlashCommand(
            channelID: "C0LOCAL", userID: user, command: "/hybrid", text: text, responseURL: harness.responseURL(id), triggerID: "trigger.\(id)")
        let payload = String(decoding: try JSONEncoder().encode(command), as: UTF8.self)
        let audit = AuditEntry(kind: "command", user: user, channel: "C0LOCAL", command: "/hybrid \(text)", outcome: "received",
                               detail: ["trigger_id": .string(command.triggerID)])
        let result = try await inbox.store(kind: "slack.command", key: "slack.trigger:trigger.\(id)", payload: payload, audit: audit)
        guard case .stored(let delivery) = result else { throw Unexpected(what: "\(result)") }
        return delivery
    }

    /// Waits until the relay has no pending delivery left (every one acked), or the timeout passes.
    func settle(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !store.pendingDeliveries().isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    struct Unexpected: Error, CustomStringConvertible {
        let what: String
        var description: String { what }
    }
}

/// The poller tasks of a test's cores.
final class StartedCores: Sendable {
    private let tasks = Mutex<[Task<Void, Never>]>([])

    func add(_ task: Task<Void, Never>) { tasks.withLock { $0.append(task) } }

    func stopAll() async {
        let all = tasks.withLock { $0 }
        for task in all { task.cancel() }
        for task in all { await task.value }
    }
}

/// Opens once; everyone waiting (before or after) goes on.
actor RelayGate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters.removeAll()
    }
}

/// Stands between a core and the relay's store API (`POST /relay/v1/store`): forwards every call, and on a test's
/// say holds one until a gate opens, or lets it reach the relay and then answers 502 (the answer lost on the way
/// back, as a proxy timing out or a dropped connection would).
final class RelayStoreProxy: Sendable {
    enum Plan: Sendable {
        case forward
        case hold(RelayGate)
        case loseAnswer
    }

    private let relayURL: String
    private let http: HTTPClient
    private let plans = Mutex<[String: [Plan]]>([:])
    private let seen = Mutex<[String]>([])

    init(relayURL: String, http: HTTPClient) {
        self.relayURL = relayURL
        self.http = http
    }

    /// The next calls named `call` (the StoreCall case, e.g. "swapApproval") follow `plans`, then are forwarded.
    func plan(_ call: String, _ plans: [Plan]) {
        self.plans.withLock { $0[call, default: []] += plans }
    }

    /// The names of the calls that reached the proxy, in order.
    var calls: [String] { seen.withLock { $0 } }

    func waitForCall(_ call: String, count: Int = 1, timeout: Duration = .seconds(5)) async {
        let deadline = ContinuousClock.now + timeout
        while calls.filter({ $0 == call }).count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private func next(_ call: String) -> Plan {
        seen.withLock { $0.append(call) }
        return plans.withLock { plans in
            guard var list = plans[call], !list.isEmpty else { return .forward }
            let first = list.removeFirst()
            plans[call] = list
            return first
        }
    }

    static func callName(_ body: [UInt8]) -> String {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        return object?.keys.first ?? "?"
    }

    func router() -> Hummingbird.Router<BasicRequestContext> {
        let router = Hummingbird.Router()
        router.post("/relay/v1/store") { request, _ -> Response in
            let body = Array(try await request.body.collect(upTo: 8 << 20).readableBytesView)
            let plan = self.next(Self.callName(body))
            if case .hold(let gate) = plan { await gate.wait() }
            var headers: [(String, String)] = []
            if let auth = request.headers[.authorization] { headers.append(("Authorization", auth)) }
            if let type = request.headers[.contentType] { headers.append(("Content-Type", type)) }
            let answer = try await self.http.execute(HTTPDriver.HTTPRequest(
                method: "POST", url: self.relayURL + "/relay/v1/store", headers: headers, body: body, timeout: .seconds(15)))
            if case .loseAnswer = plan { return Response(status: .badGateway) }
            return Response(
                status: .init(code: answer.status), headers: [.contentType: answer.header("content-type") ?? "text/plain"],
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        return router
    }
}
