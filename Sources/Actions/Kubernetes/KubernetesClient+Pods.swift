import Foundation

extension KubernetesClient {
    /// Where a namespaced list goes: the configured namespace, another one, or all (`nil`).
    package enum Scope: Sendable, Equatable {
        case configured
        case namespace(String)
        case all
    }

    func podsPath(_ scope: Scope) throws(KubernetesError) -> String {
        switch scope {
        case .configured: return "/api/v1/namespaces/\(try namespacePath)/pods"
        case .namespace(let ns): return "/api/v1/namespaces/\(try Self.segment(ns))/pods"
        case .all: return "/api/v1/pods"
        }
    }

    /// `kubectl get pods -l selector`.
    package func pods(_ selector: LabelSelector?, scope: Scope = .configured) async throws(KubernetesError) -> [KubernetesPod] {
        let query = selector.map { [("labelSelector", $0.description)] } ?? []
        return try await decode(KubernetesList<KubernetesPod>.self, "GET", try podsPath(scope), query: query).items
    }

    /// `kubectl delete pod NAME` in the configured namespace. A pod already gone counts as deleted.
    package func deletePod(_ name: String) async throws(KubernetesError) {
        do throws(KubernetesError) {
            _ = try await send("DELETE", "/api/v1/namespaces/\(try namespacePath)/pods/\(try Self.segment(name))")
        } catch {
            guard error.status == 404 else { throw error }
            return
        }
    }

    /// `kubectl logs POD -c CONTAINER --tail=N`: the last lines, as text.
    package func logs(pod: String, container: String?, tailLines: Int) async throws(KubernetesError) -> [String] {
        var query = [("tailLines", String(tailLines))]
        if let container { query.append(("container", try Self.segment(container))) }
        let bytes = try await send(
            "GET", "/api/v1/namespaces/\(try namespacePath)/pods/\(try Self.segment(pod))/log", query: query, accept: "*/*")
        let text = String(decoding: bytes, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    /// `kubectl get nodes`.
    package func nodes() async throws(KubernetesError) -> [KubernetesNode] {
        try await decode(KubernetesList<KubernetesNode>.self, "GET", "/api/v1/nodes").items
    }

    /// `kubectl top pods -l selector` (metrics.k8s.io v1beta1, served by metrics-server).
    package func podMetrics(_ selector: LabelSelector?) async throws(KubernetesError) -> [PodMetrics] {
        let query = selector.map { [("labelSelector", $0.description)] } ?? []
        return try await metrics { () async throws(KubernetesError) -> [PodMetrics] in
            try await decode(KubernetesList<PodMetrics>.self, "GET", "/apis/metrics.k8s.io/v1beta1/namespaces/\(try namespacePath)/pods", query: query).items
        }
    }

    /// `kubectl top nodes`.
    package func nodeMetrics() async throws(KubernetesError) -> [NodeMetrics] {
        try await metrics { () async throws(KubernetesError) -> [NodeMetrics] in try await decode(KubernetesList<NodeMetrics>.self, "GET", "/apis/metrics.k8s.io/v1beta1/nodes").items }
    }

    /// A missing (404) or unhealthy (503) metrics API means metrics-server is not there: say so.
    private func metrics<T>(_ body: () async throws(KubernetesError) -> T) async throws(KubernetesError) -> T {
        do throws(KubernetesError) {
            return try await body()
        } catch {
            guard error.status == 404 || error.status == 503 else { throw error }
            throw KubernetesError(
                status: error.status, reason: "MetricsUnavailable",
                message: "metrics-server not available (metrics.k8s.io answered HTTP \(error.status ?? 0): \(error.message))")
        }
    }
}
