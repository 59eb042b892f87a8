/// Every `kubernetes.*` action, for registering in one line:
/// `ActionRegistry(KubernetesActions.makeAll(client: client, templateRoot: pluginsDirectory) + …)`.
package enum KubernetesActions {
    package static let names: Set<String> = [
        "kubernetes.pods", "kubernetes.logs", "kubernetes.nodes", "kubernetes.top", "kubernetes.delete_pods",
        "kubernetes.scale", "kubernetes.rollout_restart", "kubernetes.configmap_get", "kubernetes.configmap_patch",
        "kubernetes.patch_resources", "kubernetes.create_job",
    ]

    /// `client` nil (not configured): each action fails with `KubernetesConfig.notConfiguredMessage`.
    /// `templateRoot`: the folder `kubernetes.create_job` templates are relative to (the plugins directory).
    /// `progress`: receives one line per observed change while rollouts and jobs are waited for.
    package static func makeAll(
        client: KubernetesClient?, templateRoot: String, progress: KubernetesProgress? = nil
    ) -> [any Action] {
        [
            KubernetesPods(client: client),
            KubernetesLogs(client: client),
            KubernetesNodes(client: client),
            KubernetesTop(client: client),
            KubernetesDeletePods(client: client),
            KubernetesScale(client: client),
            KubernetesRolloutRestart(client: client, progress: progress),
            KubernetesConfigMapGet(client: client),
            KubernetesConfigMapPatch(client: client, progress: progress),
            KubernetesPatchResources(client: client),
            KubernetesCreateJob(client: client, templateRoot: templateRoot, progress: progress),
        ]
    }
}

/// Per-run progress without changing the `Action` protocol: the integrator wraps one run,
/// `try await KubernetesProgressHook.$current.withValue({ line in await edit(message, line) }) { try await action.run(…) }`,
/// and waits report there (as well as to a `progress` closure given at construction).
package enum KubernetesProgressHook {
    @TaskLocal package static var current: KubernetesProgress?

    static func report(_ fixed: KubernetesProgress?, _ line: String) async {
        await fixed?(line)
        await current?(line)
    }
}
