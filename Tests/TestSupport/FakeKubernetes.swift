import Foundation

/// A stateful fake Kubernetes API server speaking the real wire format (paths, Bearer auth, patch content types,
/// `Status` failures) for the calls the bot makes. Seed it, serve it with ``serve(_:)``, then inspect what it received
/// and what state it is in.
///
/// Workloads move like a controller would: a change of `spec` bumps `metadata.generation`; for the first third of
/// `rolloutDelay` the controller has not observed it (old status), then the new replicas exist but are not all
/// available, and after `rolloutDelay` everything is available — unless the workload is marked `neverAvailable`.
package actor FakeKubernetesAPI {
    package struct ReceivedRequest: Sendable {
        package let method: String
        package let path: String
        /// Decoded query parameters (`labelSelector`, `tailLines`, `container`).
        package let query: [String: String]
        /// The query exactly as sent (to check percent-encoding), nil when there was none.
        package let rawQuery: String?
        package let contentType: String?
        package let authorization: String?
        package let body: [UInt8]

        /// The body as a JSON object, when it is one.
        package var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    package struct Container: Sendable, Equatable {
        package var name: String
        package var image: String
        package var limits: [String: String]
        package var requests: [String: String]

        package init(name: String, image: String = "registry.local/app:1.0", limits: [String: String] = [:], requests: [String: String] = [:]) {
            self.name = name
            self.image = image
            self.limits = limits
            self.requests = requests
        }
    }

    package enum WorkloadKind: String, Sendable { case deployments, statefulsets }

    package struct Workload: Sendable {
        package var kind: WorkloadKind
        package var name: String
        package var namespace: String
        package var replicas: Int
        package var generation = 1
        package var containers: [Container]
        package var templateAnnotations: [String: String] = [:]
        /// Pods never become available after a change (a broken image, a failing probe).
        package var neverAvailable = false
        /// Settled availability before the current change, and when the change began (nil = settled).
        var availableBefore: Int
        var changeStarted: ContinuousClock.Instant?
        var templateChanged = false

        package init(_ kind: WorkloadKind = .deployments, name: String, namespace: String = "hybrid-ai", replicas: Int,
                     containers: [Container]? = nil, neverAvailable: Bool = false) {
            self.kind = kind
            self.name = name
            self.namespace = namespace
            self.replicas = replicas
            self.containers = containers ?? [Container(name: name)]
            self.neverAvailable = neverAvailable
            availableBefore = replicas
        }
    }

    package struct PodContainer: Sendable {
        package var name: String
        package var ready: Bool
        package var restarts: Int
        /// `CrashLoopBackOff`, `ImagePullBackOff`… while the container waits.
        package var waitingReason: String?
        package var logs: [String]

        package init(name: String, ready: Bool = true, restarts: Int = 0, waitingReason: String? = nil, logs: [String] = []) {
            self.name = name
            self.ready = ready
            self.restarts = restarts
            self.waitingReason = waitingReason
            self.logs = logs
        }
    }

    package struct Pod: Sendable {
        package var name: String
        package var namespace: String
        package var labels: [String: String]
        package var phase: String
        package var containers: [PodContainer]
        package var created: Date

        package init(name: String, namespace: String = "hybrid-ai", labels: [String: String], phase: String = "Running",
                     containers: [PodContainer]? = nil, created: Date = Date(timeIntervalSinceNow: -3600)) {
            self.name = name
            self.namespace = namespace
            self.labels = labels
            self.phase = phase
            self.containers = containers ?? [PodContainer(name: "main")]
            self.created = created
        }
    }

    package struct Node: Sendable {
        package var name: String
        package var ready: String
        package var trueConditions: [String]
        package var created: Date

        package init(name: String, ready: String = "True", trueConditions: [String] = [], created: Date = Date(timeIntervalSinceNow: -86400 * 3)) {
            self.name = name
            self.ready = ready
            self.trueConditions = trueConditions
            self.created = created
        }
    }

    package struct Usage: Sendable {
        package var cpu: String
        package var memory: String
        package init(cpu: String, memory: String) {
            self.cpu = cpu
            self.memory = memory
        }
    }

    package enum MetricsAPI: Sendable { case available, notInstalled, unavailable }
    package enum JobOutcome: Sendable { case succeed, fail, never }

    struct JobRecord {
        var object: [String: Any]
        var created: ContinuousClock.Instant
    }

    package nonisolated let token: String
    package nonisolated let namespace: String
    package nonisolated let serviceAccount = "system:serviceaccount:hybrid-ai:hybridbot"
    package private(set) var requests: [ReceivedRequest] = []
    package var rolloutDelay: Duration = .milliseconds(300)
    package var jobDelay: Duration = .milliseconds(300)
    package var jobOutcome: JobOutcome = .succeed
    package var metricsAPI: MetricsAPI = .available
    var workloads: [String: Workload] = [:]
    var pods: [Pod] = []
    var nodes: [Node] = []
    var configMaps: [String: [String: String]] = [:]
    var podUsage: [String: [String: Usage]] = [:]
    var nodeUsage: [String: Usage] = [:]
    var jobs: [String: JobRecord] = [:]
    /// `verb resource` pairs answered 403, e.g. `list pods`, `patch deployments`, `create jobs`.
    var forbidden: Set<String> = []

    package init(token: String = "fake-k8s-token-0123456789", namespace: String = "hybrid-ai") {
        self.token = token
        self.namespace = namespace
    }

    static func key(_ namespace: String, _ name: String) -> String { namespace + "/" + name }
    static func key(_ kind: WorkloadKind, _ namespace: String, _ name: String) -> String { "\(kind.rawValue)/\(namespace)/\(name)" }

    // MARK: seeding

    package func add(_ workload: Workload) { workloads[Self.key(workload.kind, workload.namespace, workload.name)] = workload }
    package func add(_ pod: Pod) { pods.append(pod) }
    package func add(_ node: Node) { nodes.append(node) }
    package func addConfigMap(_ name: String, namespace: String? = nil, data: [String: String]) {
        configMaps[Self.key(namespace ?? self.namespace, name)] = data
    }
    /// Per-container usage of a pod, as metrics-server reports it.
    package func setPodUsage(_ pod: String, namespace: String? = nil, containers: [String: Usage]) {
        podUsage[Self.key(namespace ?? self.namespace, pod)] = containers
    }
    package func setNodeUsage(_ node: String, _ usage: Usage) { nodeUsage[node] = usage }
    package func forbid(_ verb: String, _ resource: String) { forbidden.insert("\(verb) \(resource)") }
    package func set(rolloutDelay: Duration) { self.rolloutDelay = rolloutDelay }
    package func set(jobOutcome: JobOutcome, after delay: Duration) {
        self.jobOutcome = jobOutcome
        jobDelay = delay
    }
    package func set(metricsAPI: MetricsAPI) { self.metricsAPI = metricsAPI }
    package func setNeverAvailable(_ name: String, kind: WorkloadKind = .deployments, _ value: Bool = true) {
        workloads[Self.key(kind, namespace, name)]?.neverAvailable = value
    }
    package func clearRequests() { requests.removeAll() }

    // MARK: inspection

    package func workload(_ name: String, kind: WorkloadKind = .deployments) -> Workload? { workloads[Self.key(kind, namespace, name)] }
    package func podNames(namespace: String? = nil) -> [String] {
        pods.filter { $0.namespace == (namespace ?? self.namespace) }.map(\.name).sorted()
    }
    package func configMap(_ name: String) -> [String: String]? { configMaps[Self.key(namespace, name)] }
    package func jobNames() -> [String] { jobs.keys.map { String($0.split(separator: "/").last ?? "") }.sorted() }
    /// The Job as it was created (JSON bytes), for assertions on the template substitution.
    package func jobJSON(_ name: String) -> [UInt8]? {
        jobs[Self.key(namespace, name)].flatMap { try? JSONSerialization.data(withJSONObject: $0.object, options: [.sortedKeys]) }.map(Array.init)
    }

    func record(_ request: ReceivedRequest) { requests.append(request) }
}
