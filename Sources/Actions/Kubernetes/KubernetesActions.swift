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

/// Progress of waits: to the closure given at construction and to the run's own (`ActionContext.progress`).
enum KubernetesProgressHook {
    static func combined(_ fixed: KubernetesProgress?, _ context: ActionContext) -> KubernetesProgress? {
        switch (fixed, context.progress) {
        case (nil, nil): nil
        case (let one?, nil), (nil, let one?): one
        case (let a?, let b?): { line in await a(line); await b(line) }
        }
    }

    static func report(_ progress: KubernetesProgress?, _ line: String) async {
        await progress?(line)
    }
}
