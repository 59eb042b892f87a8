import Foundation

extension KubernetesClient {
    private static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    func configMapPath(_ name: String) throws(KubernetesError) -> String {
        "/api/v1/namespaces/\(try namespacePath)/configmaps/\(try Self.segment(name))"
    }

    /// `kubectl get configmap NAME`.
    package func configMap(_ name: String) async throws(KubernetesError) -> KubernetesConfigMap {
        try await decode(KubernetesConfigMap.self, "GET", try configMapPath(name))
    }

    /// A JSON merge patch of `data`: the given keys are set, every other key stays.
    package func patchConfigMap(_ name: String, data: [String: String]) async throws(KubernetesError) -> KubernetesConfigMap {
        try await decode(
            KubernetesConfigMap.self, "PATCH", try configMapPath(name), body: Self.json(["data": data]),
            contentType: "application/merge-patch+json")
    }

    /// Strategic merge patch of one container's resources: containers merge by `name`, so nothing else changes.
    package func patchResources(
        deployment: String, container: String, limits: [String: String], requests: [String: String]
    ) async throws(KubernetesError) -> KubernetesWorkload {
        let patch: [String: Any] = ["spec": ["template": ["spec": ["containers": [
            ["name": container, "resources": ["limits": limits, "requests": requests]] as [String: Any],
        ]]]]]
        return try await decode(
            KubernetesWorkload.self, "PATCH", try workloadPath(.deployments, deployment), body: Self.json(patch),
            contentType: "application/strategic-merge-patch+json")
    }

    func jobsPath() throws(KubernetesError) -> String {
        "/apis/batch/v1/namespaces/\(try namespacePath)/jobs"
    }

    /// `kubectl create -f job.json` for a Job object already built (name and namespace set).
    package func createJob(_ object: [String: Any]) async throws(KubernetesError) -> KubernetesJob {
        try await decode(KubernetesJob.self, "POST", try jobsPath(), body: Self.json(object))
    }

    /// `kubectl get job NAME`.
    package func job(_ name: String) async throws(KubernetesError) -> KubernetesJob {
        try await decode(KubernetesJob.self, "GET", try jobsPath() + "/" + (try Self.segment(name)))
    }

    /// Polls a Job until it completes or fails, or `timeout` passes (then `Timeout` naming the counts).
    package func waitForJob(_ name: String, timeout: Duration, progress: KubernetesProgress? = nil) async throws(KubernetesError) -> KubernetesJob {
        let deadline = ContinuousClock.now + timeout
        var lastReported = ""
        while true {
            let job = try await job(name)
            let counts = Self.jobCounts(job)
            if counts != lastReported {
                lastReported = counts
                await KubernetesProgressHook.report(progress, "job `\(name)`: \(counts)")
            }
            if job.isComplete || job.isFailed { return job }
            guard ContinuousClock.now + pollInterval <= deadline else {
                throw KubernetesError(
                    status: nil, reason: "WaitTimeout", message: "job `\(name)` did not finish within \(timeout.shortDescription); last state: \(counts)")
            }
            do {
                try await Task.sleep(for: pollInterval)
            } catch {
                throw KubernetesError(status: nil, reason: "Cancelled", message: "stopped waiting for job `\(name)`: cancelled")
            }
        }
    }

    package static func jobCounts(_ job: KubernetesJob) -> String {
        let s = job.status
        return "\(s?.active ?? 0) active, \(s?.succeeded ?? 0) succeeded, \(s?.failed ?? 0) failed"
    }
}
