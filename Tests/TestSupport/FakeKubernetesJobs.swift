import Foundation

/// `/apis/batch/v1`: Jobs that run for `jobDelay`, then succeed or fail as `jobOutcome` says.
extension FakeKubernetesAPI {
    func batch(_ method: String, namespace ns: String, _ rest: [String], _ request: ReceivedRequest) -> FakeKubernetesAnswer {
        guard rest.first == "jobs" else { return notFoundPath() }
        switch (method, rest.count) {
        case ("POST", 1):
            return guarded("create", "jobs", group: "batch", namespace: ns) { createJob(ns, request) }
        case ("GET", 2):
            return guarded("get", "jobs", group: "batch", namespace: ns, name: rest[1]) {
                jobs[Self.key(ns, rest[1])].map { FakeKubernetesAnswer.json(200, jobObject($0)) }
                    ?? .failure(404, "NotFound", "jobs.batch \"\(rest[1])\" not found", details: ["name": rest[1], "group": "batch", "kind": "jobs"])
            }
        default:
            return notFoundPath()
        }
    }

    func createJob(_ ns: String, _ request: ReceivedRequest) -> FakeKubernetesAnswer {
        guard request.contentType == "application/json", var object = decodeBody(request) else {
            return .failure(400, "BadRequest", "the object provided is unrecognized (must be of type Job)")
        }
        guard object["kind"] as? String == "Job", object["apiVersion"] as? String == "batch/v1" else {
            return .failure(400, "BadRequest", "the API version in the data (\(object["apiVersion"] ?? "")) does not match the expected API version (batch/v1)")
        }
        var meta = object["metadata"] as? [String: Any] ?? [:]
        if let given = meta["namespace"] as? String, given != ns {
            return .failure(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
        }
        guard let name = meta["name"] as? String, !name.isEmpty else {
            return .failure(422, "Invalid", "Job.batch \"\" is invalid: metadata.name: Required value: name or generateName is required")
        }
        guard jobs[Self.key(ns, name)] == nil else {
            return .failure(409, "AlreadyExists", "jobs.batch \"\(name)\" already exists", details: ["name": name, "group": "batch", "kind": "jobs"])
        }
        let podSpec = ((object["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
        let containers = podSpec?["containers"] as? [[String: Any]] ?? []
        guard !containers.isEmpty, containers.allSatisfy({ ($0["image"] as? String)?.isEmpty == false }) else {
            return .failure(422, "Invalid", "Job.batch \"\(name)\" is invalid: spec.template.spec.containers[0].image: Required value")
        }
        guard let policy = podSpec?["restartPolicy"] as? String, policy == "Never" || policy == "OnFailure" else {
            return .failure(422, "Invalid", "Job.batch \"\(name)\" is invalid: spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"")
        }
        meta["namespace"] = ns
        meta["creationTimestamp"] = Self.timestamp(Date())
        meta["uid"] = UUID().uuidString.lowercased()
        object["metadata"] = meta
        let record = JobRecord(object: object, created: .now)
        jobs[Self.key(ns, name)] = record
        return .json(201, jobObject(record))
    }

    func jobObject(_ record: JobRecord) -> [String: Any] {
        var object = record.object
        let done = ContinuousClock.now - record.created >= jobDelay
        var status: [String: Any] = ["startTime": Self.timestamp(Date())]
        switch (done, jobOutcome) {
        case (true, .succeed):
            status["succeeded"] = 1
            status["conditions"] = [["type": "Complete", "status": "True"]]
        case (true, .fail):
            status["failed"] = 7
            status["conditions"] = [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"]]
        default:
            status["active"] = 1
        }
        object["status"] = status
        return object
    }
}
