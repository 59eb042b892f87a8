import Foundation

/// `/api/v1`: pods, pod logs, configmaps, nodes; and the metrics API.
extension FakeKubernetesAPI {
    func core(_ method: String, namespace ns: String, _ rest: [String], _ request: ReceivedRequest) -> FakeKubernetesAnswer {
        switch (method, rest.count, rest.first ?? "") {
        case ("GET", 1, "pods"):
            return guarded("list", "pods", group: "", namespace: ns) { listPods(namespace: ns, request) }
        case ("DELETE", 2, "pods"):
            return guarded("delete", "pods", group: "", namespace: ns, name: rest[1]) { deletePod(ns, rest[1]) }
        case ("GET", 3, "pods") where rest[2] == "log":
            return guarded("get", "pods/log", group: "", namespace: ns, name: rest[1]) { log(ns, rest[1], request) }
        case ("GET", 2, "configmaps"):
            return guarded("get", "configmaps", group: "", namespace: ns, name: rest[1]) {
                configMaps[Self.key(ns, rest[1])].map { FakeKubernetesAnswer.json(200, configMapObject(ns, rest[1], $0)) }
                    ?? .failure(404, "NotFound", "configmaps \"\(rest[1])\" not found", details: ["name": rest[1], "kind": "configmaps"])
            }
        case ("PATCH", 2, "configmaps"):
            return guarded("patch", "configmaps", group: "", namespace: ns, name: rest[1]) { patchConfigMap(ns, rest[1], request) }
        default:
            return notFoundPath()
        }
    }

    func selected(_ request: ReceivedRequest) -> ((([String: String]) -> Bool))? {
        guard let text = request.query["labelSelector"], !text.isEmpty else { return { _ in true } }
        var terms: [(String, String, Bool)] = []
        for term in text.split(separator: ",") {
            let negated = term.contains("!=")
            let pieces = term.replacingOccurrences(of: "!=", with: "=").replacingOccurrences(of: "==", with: "=")
                .split(separator: "=", omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty,
                  pieces.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) } })
            else { return nil }
            terms.append((String(pieces[0]), String(pieces[1]), negated))
        }
        return { labels in terms.allSatisfy { $0.2 ? labels[$0.0] != $0.1 : labels[$0.0] == $0.1 } }
    }

    func listPods(namespace ns: String?, _ request: ReceivedRequest) -> FakeKubernetesAnswer {
        guard let matches = selected(request) else {
            return .failure(400, "BadRequest", "unable to parse requirement: invalid label selector \"\(request.query["labelSelector"] ?? "")\"")
        }
        let items = pods.filter { (ns == nil || $0.namespace == ns) && matches($0.labels) }.map(podObject)
        return .json(200, ["kind": "PodList", "apiVersion": "v1", "metadata": ["resourceVersion": "1"], "items": items])
    }

    func podObject(_ pod: Pod) -> [String: Any] {
        [
            "metadata": ["name": pod.name, "namespace": pod.namespace, "labels": pod.labels,
                         "creationTimestamp": Self.timestamp(pod.created), "uid": UUID().uuidString.lowercased()] as [String: Any],
            "spec": ["containers": pod.containers.map { ["name": $0.name, "image": "registry.local/\($0.name):1.0"] }, "nodeName": "node-1"] as [String: Any],
            "status": [
                "phase": pod.phase,
                "containerStatuses": pod.containers.map { c -> [String: Any] in
                    var state: [String: Any] = ["running": ["startedAt": Self.timestamp(pod.created)]]
                    if let reason = c.waitingReason { state = ["waiting": ["reason": reason]] }
                    return ["name": c.name, "ready": c.ready, "restartCount": c.restarts, "state": state, "image": "registry.local/\(c.name):1.0"]
                },
            ] as [String: Any],
        ]
    }

    func deletePod(_ ns: String, _ name: String) -> FakeKubernetesAnswer {
        guard let index = pods.firstIndex(where: { $0.namespace == ns && $0.name == name }) else {
            return .failure(404, "NotFound", "pods \"\(name)\" not found", details: ["name": name, "kind": "pods"])
        }
        let pod = pods.remove(at: index)
        var object = podObject(pod)
        var meta = object["metadata"] as? [String: Any] ?? [:]
        meta["deletionTimestamp"] = Self.timestamp(Date())
        object["metadata"] = meta
        return .json(200, object)
    }

    func log(_ ns: String, _ name: String, _ request: ReceivedRequest) -> FakeKubernetesAnswer {
        guard let pod = pods.first(where: { $0.namespace == ns && $0.name == name }) else {
            return .failure(404, "NotFound", "pods \"\(name)\" not found")
        }
        let container: PodContainer
        if let wanted = request.query["container"] {
            guard let found = pod.containers.first(where: { $0.name == wanted }) else {
                return .failure(400, "BadRequest", "container \(wanted) is not valid for pod \(name)")
            }
            container = found
        } else {
            guard pod.containers.count == 1, let only = pod.containers.first else {
                return .failure(400, "BadRequest", "a container name must be specified for pod \(name), choose one of: [\(pod.containers.map(\.name).joined(separator: " "))]")
            }
            container = only
        }
        var lines = container.logs
        if let tail = request.query["tailLines"].flatMap(Int.init), tail >= 0 { lines = Array(lines.suffix(tail)) }
        let text = lines.map { $0 + "\n" }.joined()
        return FakeKubernetesAnswer(status: 200, contentType: "text/plain", body: Array(text.utf8))
    }

    func configMapObject(_ ns: String, _ name: String, _ data: [String: String]) -> [String: Any] {
        ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["name": name, "namespace": ns], "data": data]
    }

    func patchConfigMap(_ ns: String, _ name: String, _ request: ReceivedRequest) -> FakeKubernetesAnswer {
        if let refused = unsupportedPatch(request) { return refused }
        guard var data = configMaps[Self.key(ns, name)] else {
            return .failure(404, "NotFound", "configmaps \"\(name)\" not found", details: ["name": name, "kind": "configmaps"])
        }
        guard let patch = decodeBody(request) else { return .failure(400, "BadRequest", "error decoding patch: invalid JSON") }
        if let changes = patch["data"] as? [String: Any] {
            for (key, value) in changes {
                switch value {
                case is NSNull: data[key] = nil
                case let text as String: data[key] = text
                default:
                    return .failure(400, "BadRequest", "json: cannot unmarshal number into Go struct field ConfigMap.data of type string")
                }
            }
        }
        configMaps[Self.key(ns, name)] = data
        return .json(200, configMapObject(ns, name, data))
    }

    func listNodes() -> FakeKubernetesAnswer {
        let items = nodes.map { node -> [String: Any] in
            var conditions: [[String: Any]] = ["MemoryPressure", "DiskPressure", "PIDPressure"].map {
                ["type": $0, "status": node.trueConditions.contains($0) ? "True" : "False"]
            }
            conditions += node.trueConditions.filter { !["MemoryPressure", "DiskPressure", "PIDPressure"].contains($0) }
                .map { ["type": $0, "status": "True"] }
            conditions.append(["type": "Ready", "status": node.ready])
            return ["metadata": ["name": node.name, "creationTimestamp": Self.timestamp(node.created)],
                    "status": ["conditions": conditions]]
        }
        return .json(200, ["kind": "NodeList", "apiVersion": "v1", "metadata": [String: Any](), "items": items])
    }

    func podMetrics(namespace ns: String, _ request: ReceivedRequest) -> FakeKubernetesAnswer {
        guard let matches = selected(request) else { return .failure(400, "BadRequest", "invalid label selector") }
        let items = pods.filter { $0.namespace == ns && matches($0.labels) }.compactMap { pod -> [String: Any]? in
            guard let usage = podUsage[Self.key(ns, pod.name)] else { return nil }
            return ["metadata": ["name": pod.name, "namespace": ns], "timestamp": Self.timestamp(Date()), "window": "15s",
                    "containers": usage.sorted { $0.key < $1.key }.map { ["name": $0.key, "usage": ["cpu": $0.value.cpu, "memory": $0.value.memory]] as [String: Any] }]
        }
        return .json(200, ["kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": [String: Any](), "items": items])
    }

    func nodeMetrics() -> FakeKubernetesAnswer {
        let items = nodeUsage.sorted { $0.key < $1.key }.map { name, usage -> [String: Any] in
            ["metadata": ["name": name], "timestamp": Self.timestamp(Date()), "window": "20s", "usage": ["cpu": usage.cpu, "memory": usage.memory]]
        }
        return .json(200, ["kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": [String: Any](), "items": items])
    }
}
