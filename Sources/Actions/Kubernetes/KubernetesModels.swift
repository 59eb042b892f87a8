import Foundation

// The parts of Kubernetes objects the actions read. Decoding ignores every other field.

package struct KubernetesStatus: Decodable, Sendable {
    package var kind: String?
    package var status: String?
    package var message: String?
    package var reason: String?
    package var code: Int?
}

package struct KubernetesObjectMeta: Codable, Sendable {
    package var name: String
    package var namespace: String?
    package var labels: [String: String]?
    package var annotations: [String: String]?
    package var creationTimestamp: String?
    package var generation: Int?

    /// When the object was created, if the server said so.
    package var created: Date? {
        creationTimestamp.flatMap { try? Date($0, strategy: .iso8601) }
    }
}

package struct KubernetesList<Item: Decodable & Sendable>: Decodable, Sendable {
    package var items: [Item]
}

package struct KubernetesPod: Decodable, Sendable {
    package struct Spec: Decodable, Sendable {
        package var containers: [Container]
        package var nodeName: String?
    }
    package struct Container: Decodable, Sendable { package var name: String }
    package struct Status: Decodable, Sendable {
        package var phase: String?
        package var reason: String?
        package var containerStatuses: [ContainerStatus]?
    }
    package struct ContainerStatus: Decodable, Sendable {
        package struct State: Decodable, Sendable {
            package struct Waiting: Decodable, Sendable { package var reason: String? }
            package struct Terminated: Decodable, Sendable { package var reason: String? }
            package var waiting: Waiting?
            package var terminated: Terminated?
        }
        package var name: String
        package var ready: Bool
        package var restartCount: Int
        package var state: State?
    }

    package var metadata: KubernetesObjectMeta
    package var spec: Spec?
    package var status: Status?

    package var phase: String { status?.phase ?? "Unknown" }
    package var readyCount: Int { status?.containerStatuses?.filter(\.ready).count ?? 0 }
    package var containerCount: Int { spec?.containers.count ?? status?.containerStatuses?.count ?? 0 }
    package var restarts: Int { status?.containerStatuses?.reduce(0) { $0 + $1.restartCount } ?? 0 }
    /// What kubectl shows in STATUS: a container's waiting/terminated reason (CrashLoopBackOff…) or the phase.
    package var displayStatus: String {
        for container in status?.containerStatuses ?? [] {
            if let reason = container.state?.waiting?.reason ?? container.state?.terminated?.reason, !container.ready,
               phase != "Succeeded" {
                return reason
            }
        }
        return status?.reason ?? phase
    }
}

package struct KubernetesNode: Decodable, Sendable {
    package struct Status: Decodable, Sendable { package var conditions: [Condition]? }
    package struct Condition: Decodable, Sendable {
        package var type: String
        package var status: String
    }
    package var metadata: KubernetesObjectMeta
    package var status: Status?

    /// `True`, `False` or `Unknown` (kubelet not reporting).
    package var ready: String { status?.conditions?.first(where: { $0.type == "Ready" })?.status ?? "Unknown" }
    /// MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable… that are currently True.
    package var problems: [String] {
        (status?.conditions ?? []).filter { $0.type != "Ready" && $0.status == "True" }.map(\.type)
    }
}

/// A Deployment or StatefulSet: what a rollout or a scale wait looks at.
package struct KubernetesWorkload: Decodable, Sendable {
    package struct Spec: Decodable, Sendable {
        package var replicas: Int?
        package var template: Template?
    }
    package struct Template: Decodable, Sendable { package var spec: PodSpec? }
    package struct PodSpec: Decodable, Sendable { package var containers: [ContainerResources] }
    package struct ContainerResources: Decodable, Sendable {
        package struct Resources: Decodable, Sendable {
            package var limits: [String: String]?
            package var requests: [String: String]?
        }
        package var name: String
        package var resources: Resources?
    }
    package struct Status: Decodable, Sendable {
        package var observedGeneration: Int?
        package var replicas: Int?
        package var updatedReplicas: Int?
        package var readyReplicas: Int?
        package var availableReplicas: Int?
        package var unavailableReplicas: Int?
    }
    package var metadata: KubernetesObjectMeta
    package var spec: Spec?
    package var status: Status?
}

package struct KubernetesConfigMap: Decodable, Sendable {
    package var metadata: KubernetesObjectMeta
    package var data: [String: String]?
}

package struct KubernetesJob: Decodable, Sendable {
    package struct Spec: Decodable, Sendable { package var completions: Int? }
    package struct Status: Decodable, Sendable {
        package var active: Int?
        package var succeeded: Int?
        package var failed: Int?
        package var conditions: [KubernetesNode.Condition]?
    }
    package var metadata: KubernetesObjectMeta
    package var spec: Spec?
    package var status: Status?

    package var isComplete: Bool { status?.conditions?.contains { $0.type == "Complete" && $0.status == "True" } ?? false }
    package var isFailed: Bool { status?.conditions?.contains { $0.type == "Failed" && $0.status == "True" } ?? false }
}

/// metrics.k8s.io/v1beta1 PodMetrics and NodeMetrics.
package struct PodMetrics: Decodable, Sendable {
    package struct Container: Decodable, Sendable {
        package var name: String
        package var usage: [String: String]
    }
    package var metadata: KubernetesObjectMeta
    package var containers: [Container]
}

package struct NodeMetrics: Decodable, Sendable {
    package var metadata: KubernetesObjectMeta
    package var usage: [String: String]
}
