import BotCore

/// Least-privilege RBAC from the plugins: every Kubernetes step of every command becomes exactly the API verbs and
/// resources its action uses, narrowed to resource names where the plugin fixes them (a literal, or an argument
/// restricted by `one_of`). `hybridbot check --print-rbac` prints it; deploy/kubernetes/rbac.yaml is its output,
/// and a test keeps the two equal.
package enum KubernetesRBAC {
    struct Rule: Hashable, Comparable {
        let clusterWide: Bool
        let group: String
        let resource: String
        let verb: String

        static func < (a: Rule, b: Rule) -> Bool {
            (a.group, a.resource, a.verb) < (b.group, b.resource, b.verb)
        }
    }

    /// Names a rule may be restricted to; nil = any name (the plugin does not fix it).
    typealias Names = Set<String>?

    /// The RBAC rules (with resource names) the Kubernetes steps of `commands` need.
    static func rules(for commands: [CommandSpec]) -> [Rule: Names] {
        var out: [Rule: Names] = [:]
        func add(_ rule: Rule, _ names: Names) {
            if let existing = out[rule] {
                guard let had = existing, let new = names else { out[rule] = .some(nil); return }
                out[rule] = had.union(new)
            } else {
                out[rule] = names
            }
        }
        for spec in commands {
            for step in spec.preview + spec.steps + (spec.verify?.steps ?? []) + (spec.revert?.steps ?? []) {
                let p = step.parameters
                func names(_ key: String) -> Names { Self.names(p[key], spec: spec) }
                func literal(_ key: String) -> String? { if case .string(let s)? = p[key] { s } else { nil } }
                let statefulset = literal("kind") == "statefulset"
                let workloads = statefulset ? "statefulsets" : "deployments"
                let allNamespaces = literal("namespace") == "all"
                let waits: Bool = {
                    switch p["wait_seconds"] {
                    case nil, .int(0)?: false
                    default: true
                    }
                }()
                switch step.action {
                case "kubernetes.pods":
                    add(Rule(clusterWide: allNamespaces, group: "", resource: "pods", verb: "list"), nil)
                case "kubernetes.logs":
                    add(Rule(clusterWide: false, group: "", resource: "pods", verb: "list"), nil)
                    add(Rule(clusterWide: false, group: "", resource: "pods/log", verb: "get"), nil)
                case "kubernetes.nodes":
                    add(Rule(clusterWide: true, group: "", resource: "nodes", verb: "list"), nil)
                case "kubernetes.top":
                    if literal("kind") == "nodes" {
                        add(Rule(clusterWide: true, group: "metrics.k8s.io", resource: "nodes", verb: "list"), nil)
                    } else {
                        add(Rule(clusterWide: false, group: "metrics.k8s.io", resource: "pods", verb: "list"), nil)
                    }
                case "kubernetes.delete_pods":
                    add(Rule(clusterWide: false, group: "", resource: "pods", verb: "list"), nil)
                    add(Rule(clusterWide: false, group: "", resource: "pods", verb: "delete"), nil)
                case "kubernetes.scale":
                    add(Rule(clusterWide: false, group: "apps", resource: workloads + "/scale", verb: "patch"), names("deployment"))
                    if waits { add(Rule(clusterWide: false, group: "apps", resource: workloads, verb: "get"), names("deployment")) }
                case "kubernetes.rollout_restart":
                    add(Rule(clusterWide: false, group: "apps", resource: workloads, verb: "get"), names("name"))
                    add(Rule(clusterWide: false, group: "apps", resource: workloads, verb: "patch"), names("name"))
                case "kubernetes.configmap_get":
                    add(Rule(clusterWide: false, group: "", resource: "configmaps", verb: "get"), names("name"))
                case "kubernetes.configmap_patch":
                    add(Rule(clusterWide: false, group: "", resource: "configmaps", verb: "get"), names("name"))
                    add(Rule(clusterWide: false, group: "", resource: "configmaps", verb: "patch"), names("name"))
                    if let restart = literal("restart"), let slash = restart.firstIndex(of: "/") {
                        let kind = restart[..<slash] == "statefulset" ? "statefulsets" : "deployments"
                        let name: Names = [String(restart[restart.index(after: slash)...])]
                        add(Rule(clusterWide: false, group: "apps", resource: kind, verb: "get"), name)
                        add(Rule(clusterWide: false, group: "apps", resource: kind, verb: "patch"), name)
                    }
                case "kubernetes.patch_resources":
                    add(Rule(clusterWide: false, group: "apps", resource: "deployments", verb: "get"), names("deployment"))
                    add(Rule(clusterWide: false, group: "apps", resource: "deployments", verb: "patch"), names("deployment"))
                case "kubernetes.create_job":
                    add(Rule(clusterWide: false, group: "batch", resource: "jobs", verb: "create"), nil)
                    if waits { add(Rule(clusterWide: false, group: "batch", resource: "jobs", verb: "get"), nil) }
                default:
                    break
                }
            }
        }
        return out
    }

    /// A literal name, or every value of a `one_of` argument it is exactly; nil when not fixed by the plugin.
    static func names(_ value: TemplateValue?, spec: CommandSpec) -> Names {
        guard case .string(let text)? = value else { return nil }
        let refs = StepTemplate.references(in: text)
        if refs.isEmpty { return [text] }
        guard refs.count == 1, text == "{\(refs[0])}", case .oneOf(let values)? = spec.arguments[refs[0]] else { return nil }
        return Set(values)
    }

    /// The manifests: ServiceAccount, Role + RoleBinding in `namespace`, and a ClusterRole + binding only when a
    /// command needs cluster-wide reads (nodes, pods in all namespaces).
    package static func manifest(for commands: [CommandSpec], namespace: String, serviceAccount: String = "hybridbot") -> String {
        let rules = rules(for: commands)
        func render(_ clusterWide: Bool) -> String {
            // One YAML rule per (group, resource, names): the verbs merged.
            struct Key: Hashable, Comparable {
                let group: String, resource: String, names: [String]
                static func < (a: Key, b: Key) -> Bool { (a.group, a.resource, a.names.joined(separator: ",")) < (b.group, b.resource, b.names.joined(separator: ",")) }
            }
            var grouped: [Key: Set<String>] = [:]
            for (rule, names) in rules where rule.clusterWide == clusterWide {
                grouped[Key(group: rule.group, resource: rule.resource, names: names.map { $0.sorted() } ?? []), default: []].insert(rule.verb)
            }
            return grouped.keys.sorted().map { key in
                var text = "  - apiGroups: [\"\(key.group)\"]\n    resources: [\"\(key.resource)\"]\n"
                if !key.names.isEmpty { text += "    resourceNames: [" + key.names.map { "\"\($0)\"" }.joined(separator: ", ") + "]\n" }
                text += "    verbs: [" + grouped[key, default: []].sorted().map { "\"\($0)\"" }.joined(separator: ", ") + "]\n"
                return text
            }.joined()
        }
        var out = """
            # Generated by `hybridbot check --print-rbac` from plugins/*/plugin.yaml — do not edit by hand.
            # Exactly the Kubernetes API calls the shipped commands make, and no more.
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: \(serviceAccount)
              namespace: \(namespace)
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata:
              name: \(serviceAccount)
              namespace: \(namespace)
            rules:

            """
        out += render(false)
        out += """
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata:
              name: \(serviceAccount)
              namespace: \(namespace)
            roleRef:
              apiGroup: rbac.authorization.k8s.io
              kind: Role
              name: \(serviceAccount)
            subjects:
              - kind: ServiceAccount
                name: \(serviceAccount)
                namespace: \(namespace)

            """
        let cluster = render(true)
        if !cluster.isEmpty {
            out += """
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata:
                  name: \(serviceAccount)-cluster-read
                rules:

                """
            out += cluster
            out += """
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: \(serviceAccount)-cluster-read
                roleRef:
                  apiGroup: rbac.authorization.k8s.io
                  kind: ClusterRole
                  name: \(serviceAccount)-cluster-read
                subjects:
                  - kind: ServiceAccount
                    name: \(serviceAccount)
                    namespace: \(namespace)

                """
        }
        return out
    }
}
