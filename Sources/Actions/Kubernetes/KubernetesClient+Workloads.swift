import Foundation

package struct ScaleResult: Sendable, Equatable {
    package let desired: Int
    package let current: Int?
}

/// Progress messages for the operator while the bot waits (e.g. to edit a Slack message in place).
package typealias KubernetesProgress = @Sendable (String) async -> Void

extension KubernetesClient {
    func workloadPath(_ kind: WorkloadKind, _ name: String) throws(KubernetesError) -> String {
        "/apis/apps/v1/namespaces/\(try namespacePath)/\(kind.rawValue)/\(try Self.segment(name))"
    }

    /// `kubectl get deployment NAME -o json` (the fields a rollout needs).
    package func workload(_ kind: WorkloadKind, _ name: String) async throws(KubernetesError) -> KubernetesWorkload {
        try await decode(KubernetesWorkload.self, "GET", try workloadPath(kind, name))
    }

    /// `kubectl scale`: PATCH the scale subresource with a merge patch.
    package func scale(kind: WorkloadKind, name: String, replicas: Int) async throws(KubernetesError) -> ScaleResult {
        let object = try await request(
            "PATCH", try workloadPath(kind, name) + "/scale", body: ["spec": ["replicas": replicas]],
            contentType: "application/merge-patch+json")
        let spec = object["spec"] as? [String: Any]
        let status = object["status"] as? [String: Any]
        return ScaleResult(desired: (spec?["replicas"] as? Int) ?? replicas, current: status?["replicas"] as? Int)
    }

    /// `kubectl rollout restart`: a strategic merge patch of the pod template's `restartedAt` annotation.
    /// Returns the time written.
    @discardableResult
    package func rolloutRestart(_ kind: WorkloadKind, _ name: String, at now: Date = Date()) async throws(KubernetesError) -> String {
        let stamp = now.formatted(.iso8601)
        let patch: [String: Any] = ["spec": ["template": ["metadata": ["annotations": [
            "kubectl.kubernetes.io/restartedAt": stamp,
        ]]]]]
        let body = Array((try? JSONSerialization.data(withJSONObject: patch)) ?? Data())
        _ = try await send("PATCH", try workloadPath(kind, name), body: body, contentType: "application/strategic-merge-patch+json")
        return stamp
    }

    /// Polls the workload until `done` says so or `timeout` passes. Returns the last state seen.
    /// On timeout throws a `KubernetesError` with reason `Timeout` naming that state.
    package func waitFor(
        _ kind: WorkloadKind, _ name: String, timeout: Duration, what: String,
        progress: KubernetesProgress? = nil, done: (KubernetesWorkload) -> Bool
    ) async throws(KubernetesError) -> KubernetesWorkload {
        let deadline = ContinuousClock.now + timeout
        var lastReported = ""
        while true {
            let workload = try await workload(kind, name)
            let state = RolloutState(workload)
            if state.description != lastReported {
                lastReported = state.description
                await KubernetesProgressHook.report(progress, "\(kind.singular) `\(name)`: \(state)")
            }
            if done(workload) { return workload }
            guard ContinuousClock.now + pollInterval <= deadline else {
                throw KubernetesError(
                    status: nil, reason: "WaitTimeout",
                    message: "\(kind.singular) `\(name)` did not \(what) within \(timeout.shortDescription); last state: \(state)")
            }
            do {
                try await Task.sleep(for: pollInterval)
            } catch {
                throw KubernetesError(status: nil, reason: "Cancelled", message: "stopped waiting for \(kind.singular) `\(name)`: cancelled")
            }
        }
    }

    /// `kubectl rollout status`: the controller saw the newest spec and every replica is updated and available.
    package static func rolloutComplete(_ kind: WorkloadKind, _ workload: KubernetesWorkload) -> Bool {
        let state = RolloutState(workload)
        guard state.observed, state.updated == state.desired else { return false }
        switch kind {
        case .deployments: return state.available == state.desired && state.unavailable == 0 && state.current <= state.desired
        case .statefulsets: return state.ready == state.desired
        }
    }

    /// After a scale: enough replicas are available (Deployments) or ready (StatefulSets).
    package static func scaleComplete(_ kind: WorkloadKind, _ workload: KubernetesWorkload) -> Bool {
        let state = RolloutState(workload)
        guard state.observed else { return false }
        return (kind == .deployments ? state.available : state.ready) == state.desired && state.current == state.desired
    }
}

/// The numbers `kubectl rollout status` looks at, with one readable line for the operator.
package struct RolloutState: Sendable, Equatable, CustomStringConvertible {
    package let desired: Int
    package let current: Int
    package let updated: Int
    package let ready: Int
    package let available: Int
    package let unavailable: Int
    package let observed: Bool

    package init(_ workload: KubernetesWorkload) {
        let status = workload.status
        desired = workload.spec?.replicas ?? 1
        current = status?.replicas ?? 0
        updated = status?.updatedReplicas ?? 0
        ready = status?.readyReplicas ?? 0
        available = status?.availableReplicas ?? 0
        unavailable = status?.unavailableReplicas ?? 0
        observed = (status?.observedGeneration ?? 0) >= (workload.metadata.generation ?? 0)
    }

    package var description: String {
        var text = "\(updated)/\(desired) updated, \(available)/\(desired) available, \(ready) ready"
        if unavailable > 0 { text += ", \(unavailable) unavailable" }
        if current > desired { text += ", \(current - desired) old \(current - desired == 1 ? "replica" : "replicas") still running" }
        if !observed { text += " (controller has not seen the newest spec yet)" }
        return text
    }
}
