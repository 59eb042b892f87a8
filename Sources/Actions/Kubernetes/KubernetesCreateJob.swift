import BotCore
import Foundation

/// `kubernetes.create_job`: creates a batch/v1 Job from a JSON template in a plugin folder (the restore job).
/// Parameters: `template` (path relative to the template root, e.g. `emergency/restore-job.json`), `name_prefix`
/// (the Job is named `PREFIX-<time><random>`), optional `wait_seconds` (default 0 = do not wait; at most 7200),
/// and any other parameter fills a `{{key}}` placeholder (values `[A-Za-z0-9._:/-]+`).
/// The namespace is always the configured one; the requester is recorded in the annotation `hybridbot/requested-by`.
package struct KubernetesCreateJob: Action {
    package let name = "kubernetes.create_job"
    package let readOnly = false
    private let client: KubernetesClient?
    private let templateRoot: String
    private let progress: KubernetesProgress?

    static let reserved: Set<String> = ["template", "name_prefix", "wait_seconds"]

    package init(client: KubernetesClient?, templateRoot: String, progress: KubernetesProgress? = nil) {
        self.client = client
        self.templateRoot = templateRoot
        self.progress = progress
    }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let templateName = try parameters.requiredString("template", for: name)
        let prefix = try parameters.requiredString("name_prefix", for: name)
        guard KubernetesNames.isValidLabel(prefix), prefix.utf8.count <= 48 else {
            throw .badParameter(name, "`\(prefix.prefix(60))` is not a valid Job name prefix (lowercase letters, digits, `-`, at most 48)")
        }
        let wait = try parameters.int("wait_seconds", default: 0, in: 0...7200, for: name)
        var values: [String: String] = [:]
        for (key, value) in parameters where !Self.reserved.contains(key) {
            guard let text = value.stringValue, KubernetesNames.isValidTemplateValue(text) else {
                throw .badParameter(name, "value of `\(key.prefix(40))` may only contain letters, digits and `._:/-`")
            }
            values[key] = text
        }
        var job: [String: Any]
        do {
            job = try KubernetesJobTemplate.substitute(KubernetesJobTemplate.load(templateName, root: templateRoot), values: values)
        } catch {
            throw .badParameter(name, error.message)
        }
        let client = try client.configured()
        let jobName = Self.jobName(prefix)
        var metadata = job["metadata"] as? [String: Any] ?? [:]
        metadata["name"] = jobName
        metadata["namespace"] = client.config.namespace
        metadata["generateName"] = nil
        var annotations = metadata["annotations"] as? [String: Any] ?? [:]
        annotations["hybridbot/requested-by"] = context.userID
        metadata["annotations"] = annotations
        job["metadata"] = metadata
        job["apiVersion"] = "batch/v1"
        job["kind"] = "Job"

        do {
            _ = try await client.createJob(job)
        } catch {
            throw .kubernetes(error, doing: "create job `\(jobName)` from `\(templateName)`")
        }
        context.logger.notice("created job", metadata: ["k8s.job": "\(jobName)", "k8s.template": "\(templateName)"])
        let facts = ["job": jobName, "template": templateName, "namespace": client.config.namespace]
        guard wait > 0 else {
            return ActionOutput(summary: "Created job `\(jobName)` in `\(client.config.namespace)` from `\(templateName)`.", facts: facts)
        }
        let final: KubernetesJob
        do {
            final = try await client.waitForJob(
                jobName, timeout: .seconds(wait), progress: KubernetesProgressHook.combined(progress, context))
        } catch {
            throw .kubernetes(error, doing: "see job `\(jobName)` finish (it was created)")
        }
        let counts = KubernetesClient.jobCounts(final)
        let row = [jobName, final.isComplete ? "Complete" : "Failed", String(final.status?.succeeded ?? 0), String(final.status?.failed ?? 0)]
        guard final.isComplete else {
            throw ActionFailure(dependency: "Kubernetes", message: "job `\(jobName)` failed (\(counts)). Look at its pods' logs (`kubernetes.logs` with `job-name=\(jobName)`).")
        }
        return ActionOutput(
            summary: "Job `\(jobName)` in `\(client.config.namespace)` completed (\(counts)).",
            facts: facts.merging(["succeeded": String(final.status?.succeeded ?? 0)]) { a, _ in a },
            details: [.table(OutputTable(columns: ["job", "result", "succeeded", "failed"], rows: [row]))])
    }

    /// `PREFIX-` + base-36 seconds + 4 random characters: unique enough, valid, sortable by time.
    static func jobName(_ prefix: String, now: Date = Date()) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let random = String((0..<4).map { _ in alphabet.randomElement()! })
        return "\(prefix)-\(String(Int(now.timeIntervalSince1970), radix: 36))\(random)"
    }
}
