import BotCore
import Foundation

extension KubernetesError {
    /// What the operator should check, by the API server's reason.
    package var hint: String {
        switch reason {
        case "NotFound": " Check the name and KUBERNETES_NAMESPACE."
        case "Forbidden": " The bot's service account lacks RBAC permission for this (check its Role/RoleBinding)."
        case "Unauthorized": " Check the bot's Kubernetes token (KUBERNETES_TOKEN, KUBERNETES_TOKEN_FILE or the service-account token)."
        case "Timeout", "Unreachable": " Check KUBERNETES_API_URL and that the API server is up."
        case "Conflict", "AlreadyExists": " Someone else changed it at the same time, or it exists already: look, then try again."
        case "Invalid", "BadRequest": " The request was refused as invalid: check the values given."
        case "UnsupportedMediaType": " The API server refused the patch type: this is a bot bug, please report it."
        case "WaitTimeout": " The change was made; look at the pods (`kubernetes.pods`, `kubernetes.logs`) to see why they are not ready."
        case "MetricsUnavailable": " Install or check metrics-server (kube-system) and the `v1beta1.metrics.k8s.io` APIService."
        default: ""
        }
    }
}

extension ActionFailure {
    /// A Kubernetes failure for Slack: what we were doing, the server's message, what to check. Never the token.
    package static func kubernetes(_ error: KubernetesError, doing: String) -> ActionFailure {
        let message = error.message
        // Status messages carry no final stop; the hint is a new sentence.
        let endsSentence = message.last.map { ".!?".contains($0) } ?? true
        let stop = endsSentence || error.hint.isEmpty ? "" : "."
        return ActionFailure(dependency: "Kubernetes", message: "could not \(doing): \(message)\(stop)" + error.hint)
    }

    package static let kubernetesNotConfigured = ActionFailure(dependency: "Kubernetes", message: KubernetesConfig.notConfiguredMessage)
}

extension Optional where Wrapped == KubernetesClient {
    /// The client, or the clear "not configured" failure.
    package func configured() throws(ActionFailure) -> KubernetesClient {
        guard let self else { throw .kubernetesNotConfigured }
        return self
    }
}

extension Dictionary where Key == String, Value == ResolvedValue {
    /// `true`/`yes`/`1` (as the plugin passes it: bool, int or text); `default` when absent.
    package func flag(_ key: String, default value: Bool = false, for action: String) throws(ActionFailure) -> Bool {
        switch self[key] {
        case nil: return value
        case .bool(let b)?: return b
        case .int(let i)?: return i != 0
        case .string(let s)?:
            switch s.lowercased() {
            case "true", "yes", "1", "on": return true
            case "false", "no", "0", "off", "": return false
            default: throw .badParameter(action, "parameter `\(key)` must be true or false")
            }
        default: throw .badParameter(action, "parameter `\(key)` must be true or false")
        }
    }

    /// A whole number within bounds, `default` when absent.
    package func int(_ key: String, default value: Int, in range: ClosedRange<Int>, for action: String) throws(ActionFailure) -> Int {
        guard let raw = self[key] else { return value }
        guard let number = raw.intValue, range.contains(number) else {
            throw .badParameter(action, "parameter `\(key)` must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A non-empty text parameter, or nil when absent or empty.
    package func optionalString(_ key: String) -> String? {
        guard let value = self[key]?.stringValue, !value.isEmpty else { return nil }
        return value
    }

    /// A label selector, checked term by term before it goes anywhere near a URL.
    package func selector(_ key: String = "selector", for action: String) throws(ActionFailure) -> LabelSelector {
        let text = try requiredString(key, for: action)
        guard let selector = LabelSelector(text) else {
            throw .badParameter(action, "`\(text.prefix(80))` is not a label selector: use terms like `app=guardrail-engine`, joined by commas")
        }
        return selector
    }

    /// A Kubernetes object name (DNS-1123), checked before it goes into a path.
    package func objectName(_ key: String, for action: String) throws(ActionFailure) -> String {
        let text = try requiredString(key, for: action)
        guard KubernetesNames.isValidName(text) else {
            throw .badParameter(action, "`\(text.prefix(80))` is not a valid Kubernetes name (lowercase letters, digits, `-` and `.`)")
        }
        return text
    }
}

enum KubernetesFormat {
    /// kubectl's AGE column: `45s`, `12m`, `5h`, `3d`.
    static func age(since date: Date?, now: Date = Date()) -> String {
        guard let date else { return "?" }
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3600)h" }
        return "\(seconds / 86400)d"
    }

    /// "1 pod", "3 pods".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
