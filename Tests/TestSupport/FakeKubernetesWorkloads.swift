import Foundation

/// `/apis/apps/v1`: Deployments and StatefulSets, their scale subresource, and a controller that moves their status.
extension FakeKubernetesAPI {
    func apps(_ method: String, namespace ns: String, _ rest: [String], _ request: ReceivedRequest) -> FakeKubernetesAnswer {
        guard rest.count >= 2, let kind = WorkloadKind(rawValue: rest[0]), rest.count <= 3, rest.count == 2 || rest[2] == "scale" else {
            return notFoundPath()
        }
        let name = rest[1]
        let scale = rest.count == 3
        let resource = kind.rawValue + (scale ? "/scale" : "")
        let verb = method == "GET" ? "get" : method == "PATCH" ? "patch" : ""
        guard !verb.isEmpty else { return .failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource") }
        return guarded(verb, resource, group: "apps", namespace: ns, name: name) {
            let key = Self.key(kind, ns, name)
            guard var workload = workloads[key] else {
                return .failure(404, "NotFound", "\(kind.rawValue).apps \"\(name)\" not found",
                                details: ["name": name, "group": "apps", "kind": kind.rawValue])
            }
            if method == "GET" { return .json(200, scale ? scaleObject(workload) : object(workload)) }
            if let refused = unsupportedPatch(request) { return refused }
            guard let patch = decodeBody(request) else { return .failure(400, "BadRequest", "error decoding patch: invalid JSON") }
            let strategic = request.contentType == "application/strategic-merge-patch+json"
            let answer = scale ? applyScale(&workload, patch) : applyPatch(&workload, patch, strategic: strategic)
            if answer.status == 200 { workloads[key] = workload }
            return answer
        }
    }

    func applyScale(_ workload: inout Workload, _ patch: [String: Any]) -> FakeKubernetesAnswer {
        guard let replicas = (patch["spec"] as? [String: Any])?["replicas"] as? Int else {
            return .failure(422, "Invalid", "Scale.autoscaling \"\(workload.name)\" is invalid: spec.replicas: Required value")
        }
        guard replicas >= 0 else {
            return .failure(422, "Invalid", "Scale.autoscaling \"\(workload.name)\" is invalid: spec.replicas: Invalid value: \(replicas): must be greater than or equal to 0")
        }
        let before = scaleObject(workload)
        if replicas != workload.replicas { change(&workload, template: false) { $0.replicas = replicas } }
        var answer = scaleObject(workload)
        answer["status"] = before["status"]
        return .json(200, answer)
    }

    /// Applies a merge or strategic merge patch to the whole object, then validates like the API server.
    func applyPatch(_ workload: inout Workload, _ patch: [String: Any], strategic: Bool) -> FakeKubernetesAnswer {
        let merged = Self.merge(object(workload), patch, strategic: strategic)
        let spec = merged["spec"] as? [String: Any] ?? [:]
        let template = spec["template"] as? [String: Any] ?? [:]
        let annotations = ((template["metadata"] as? [String: Any])?["annotations"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        let rawContainers = (template["spec"] as? [String: Any])?["containers"] as? [[String: Any]] ?? []
        let invalid = "\(workload.kind == .deployments ? "Deployment" : "StatefulSet").apps \"\(workload.name)\" is invalid: "
        var containers: [Container] = []
        for (i, raw) in rawContainers.enumerated() {
            let resources = raw["resources"] as? [String: Any] ?? [:]
            let limits = (resources["limits"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            let requests = (resources["requests"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            guard let image = raw["image"] as? String, !image.isEmpty else {
                return .failure(422, "Invalid", invalid + "spec.template.spec.containers[\(i)].image: Required value")
            }
            for (field, values) in [("limits", limits), ("requests", requests)] {
                for (resource, value) in values where Self.bytes(value) == nil {
                    return .failure(422, "Invalid", invalid + "spec.template.spec.containers[\(i)].resources.\(field)[\(resource)]: Invalid value: \"\(value)\": quantities must match the regular expression")
                }
            }
            if let limit = limits["memory"].flatMap(Self.bytes), let request = requests["memory"].flatMap(Self.bytes), request > limit {
                return .failure(422, "Invalid", invalid + "spec.template.spec.containers[\(i)].resources.requests: Invalid value: \"\(requests["memory"]!)\": must be less than or equal to memory limit of \(limits["memory"]!)")
            }
            if let gpuRequest = requests["nvidia.com/gpu"], gpuRequest != limits["nvidia.com/gpu"] {
                return .failure(422, "Invalid", invalid + "spec.template.spec.containers[\(i)].resources.requests[nvidia.com/gpu]: Invalid value: \"\(gpuRequest)\": must be equal to nvidia.com/gpu limit")
            }
            containers.append(Container(name: raw["name"] as? String ?? "", image: image, limits: limits, requests: requests))
        }
        guard !containers.isEmpty else { return .failure(422, "Invalid", invalid + "spec.template.spec.containers: Required value") }
        let replicas = spec["replicas"] as? Int ?? workload.replicas
        let templateChanged = containers != workload.containers || annotations != workload.templateAnnotations
        if templateChanged || replicas != workload.replicas {
            change(&workload, template: templateChanged) {
                $0.containers = containers
                $0.templateAnnotations = annotations
                $0.replicas = replicas
            }
        }
        return .json(200, object(workload))
    }

    /// A spec change: generation++, the controller starts moving from what is available now.
    func change(_ workload: inout Workload, template: Bool, _ edit: (inout Workload) -> Void) {
        workload.availableBefore = status(workload).available
        edit(&workload)
        workload.generation += 1
        workload.changeStarted = .now
        workload.templateChanged = template
    }

    struct Observed {
        var observedGeneration: Int
        var replicas: Int
        var updated: Int
        var available: Int
    }

    /// Where the simulated controller is: not yet observed (first third), progressing, or settled.
    func status(_ w: Workload) -> Observed {
        guard let started = w.changeStarted else {
            return Observed(observedGeneration: w.generation, replicas: w.replicas, updated: w.replicas, available: w.replicas)
        }
        let elapsed = ContinuousClock.now - started
        if elapsed < rolloutDelay / 3 {
            let old = w.availableBefore
            return Observed(observedGeneration: w.generation - 1, replicas: old, updated: w.templateChanged ? old : min(old, w.replicas), available: old)
        }
        if elapsed < rolloutDelay || w.neverAvailable {
            let available = w.templateChanged ? max(0, min(w.availableBefore, w.replicas) - 1) : min(w.availableBefore, w.replicas)
            let surge = w.templateChanged ? 1 : 0
            return Observed(observedGeneration: w.generation, replicas: max(w.replicas, w.availableBefore) + surge,
                            updated: w.replicas, available: w.neverAvailable && w.templateChanged ? 0 : available)
        }
        return Observed(observedGeneration: w.generation, replicas: w.replicas, updated: w.replicas, available: w.replicas)
    }

    func object(_ w: Workload) -> [String: Any] {
        let s = status(w)
        var statusObject: [String: Any] = [
            "observedGeneration": s.observedGeneration, "replicas": s.replicas, "updatedReplicas": s.updated,
            "readyReplicas": s.available, "availableReplicas": s.available,
        ]
        if w.kind == .deployments, w.replicas - s.available > 0 { statusObject["unavailableReplicas"] = w.replicas - s.available }
        let containers = w.containers.map { c -> [String: Any] in
            var resources: [String: Any] = [:]
            if !c.limits.isEmpty { resources["limits"] = c.limits }
            if !c.requests.isEmpty { resources["requests"] = c.requests }
            return ["name": c.name, "image": c.image, "resources": resources]
        }
        var templateMeta: [String: Any] = ["labels": ["app": w.name]]
        if !w.templateAnnotations.isEmpty { templateMeta["annotations"] = w.templateAnnotations }
        return [
            "kind": w.kind == .deployments ? "Deployment" : "StatefulSet", "apiVersion": "apps/v1",
            "metadata": ["name": w.name, "namespace": w.namespace, "generation": w.generation, "labels": ["app": w.name]] as [String: Any],
            "spec": ["replicas": w.replicas, "selector": ["matchLabels": ["app": w.name]],
                     "template": ["metadata": templateMeta, "spec": ["containers": containers]] as [String: Any]] as [String: Any],
            "status": statusObject,
        ]
    }

    func scaleObject(_ w: Workload) -> [String: Any] {
        ["kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": ["name": w.name, "namespace": w.namespace],
         "spec": ["replicas": w.replicas], "status": ["replicas": status(w).replicas, "selector": "app=\(w.name)"] as [String: Any]]
    }

    /// RFC 7386 merge patch; with `strategic`, lists of containers merge by `name` (as the real strategic merge does).
    static func merge(_ target: [String: Any], _ patch: [String: Any], strategic: Bool) -> [String: Any] {
        var out = target
        for (key, value) in patch {
            if value is NSNull {
                out[key] = nil
            } else if let patchMap = value as? [String: Any] {
                out[key] = merge(out[key] as? [String: Any] ?? [:], patchMap, strategic: strategic)
            } else if strategic, key == "containers", let patchList = value as? [[String: Any]], var list = out[key] as? [[String: Any]] {
                for item in patchList {
                    if let i = list.firstIndex(where: { ($0["name"] as? String) == (item["name"] as? String) }) {
                        list[i] = merge(list[i], item, strategic: true)
                    } else {
                        list.append(item)
                    }
                }
                out[key] = list
            } else {
                out[key] = value
            }
        }
        return out
    }

    /// A quantity's value (enough of the grammar for validation), nil when it is not one.
    static func bytes(_ text: String) -> Double? {
        let units: [(String, Double)] = [("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
                                         ("m", 0.001), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)]
        for (unit, factor) in units where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * factor }
        }
        return Double(text)
    }
}
