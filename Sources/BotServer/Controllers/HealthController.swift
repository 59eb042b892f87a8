import Hummingbird
import Prometheus
import Store

/// `/healthz` (the process answers), `/readyz` (it can do its job), `/metrics` (Prometheus text).
package struct HealthController: Sendable {
    /// What keeps the process from doing its job right now (empty: ready).
    let problems: @Sendable () async -> [String]
    let registry: PrometheusCollectorRegistry?

    package init(store: HybridStore?, pluginsLoaded: Bool, registry: PrometheusCollectorRegistry?) {
        self.init(registry: registry) {
            var problems: [String] = []
            if !pluginsLoaded { problems.append("plugins not loaded") }
            if let store {
                if !(await store.isWritable()) { problems.append("database not writable") }
            } else {
                problems.append("no database")
            }
            return problems
        }
    }

    package init(registry: PrometheusCollectorRegistry?, problems: @escaping @Sendable () async -> [String]) {
        self.problems = problems
        self.registry = registry
    }

    package func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/healthz") { _, _ in SlackCommandController.plain(.ok, "ok") }
        router.get("/readyz") { _, _ in await ready() }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry?.emitToBuffer() ?? [])))
        }
    }

    func ready() async -> Response {
        let problems = await problems()
        return problems.isEmpty
            ? SlackCommandController.plain(.ok, "ready")
            : SlackCommandController.plain(.serviceUnavailable, "not ready: " + problems.joined(separator: ", "))
    }
}
