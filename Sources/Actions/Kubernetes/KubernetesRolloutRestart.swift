import BotCore

/// `kubernetes.rollout_restart`: `kubectl rollout restart` + `kubectl rollout status`.
/// Parameters: `name`, optional `kind` deployment (default) | statefulset, optional `wait_seconds` (default 300,
/// 0 = do not wait, at most 3600). Waiting polls until the controller observed the new generation and every
/// replica is updated and available (StatefulSets: ready); a timeout fails naming the last state seen.
/// `progress` (set by the integrator) receives one line per state change, e.g. to edit a Slack message.
package struct KubernetesRolloutRestart: Action {
    package let name = "kubernetes.rollout_restart"
    package let readOnly = false
    private let client: KubernetesClient?
    private let progress: KubernetesProgress?

    package init(client: KubernetesClient?, progress: KubernetesProgress? = nil) {
        self.client = client
        self.progress = progress
    }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let workload = try parameters.objectName("name", for: name)
        let kind = try KubernetesScale.kind(parameters, for: name)
        let wait = try parameters.int("wait_seconds", default: 300, in: 0...3600, for: name)
        let client = try client.configured()
        let what = "\(kind.singular) `\(workload)`"
        let stamp: String
        do {
            stamp = try await client.rolloutRestart(kind, workload)
        } catch {
            throw .kubernetes(error, doing: "restart \(what)")
        }
        context.logger.notice("rollout restart", metadata: ["k8s.kind": "\(kind.singular)", "k8s.name": "\(workload)"])
        var facts = ["kind": kind.singular, "name": workload, "namespace": client.config.namespace, "restartedAt": stamp]
        guard wait > 0 else {
            facts["waited"] = "false"
            return ActionOutput(summary: "Restarting \(what) in `\(client.config.namespace)` (not waiting for the rollout).", facts: facts)
        }
        let progress = KubernetesProgressHook.combined(self.progress, context)
        await KubernetesProgressHook.report(progress, "Restarting \(what)…")
        let started = ContinuousClock.now
        let final: KubernetesWorkload
        do {
            final = try await client.waitFor(
                kind, workload, timeout: .seconds(wait), what: "finish its rollout", progress: progress,
                done: { KubernetesClient.rolloutComplete(kind, $0) })
        } catch {
            throw .kubernetes(error, doing: "complete the restart of \(what) (the restart was requested)")
        }
        let state = RolloutState(final)
        let took = (ContinuousClock.now - started).shortDescription
        facts["waited"] = "true"
        facts["available"] = String(state.available)
        return ActionOutput(
            summary: "Restarted \(what) in `\(client.config.namespace)`: \(state.desired)/\(state.desired) replicas updated and available after \(took).",
            facts: facts,
            details: [.table(OutputTable(
                columns: ["replicas", "updated", "ready", "available"],
                rows: [[String(state.desired), String(state.updated), String(state.ready), String(state.available)]]))])
    }
}
