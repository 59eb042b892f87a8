import BotCore
import Foundation
import HTTPDriver

/// A service the plugin files may name instead of a URL: the gateway is `HYBRID_API_URL` with Bearer `HYBRID_API_KEY`.
package struct HTTPService: Sendable {
    package let baseURL: String
    package let bearer: String?
    /// The environment variable holding `bearer`, named in hints (never its value).
    package let bearerSetting: String?

    package init(baseURL: String, bearer: String?, bearerSetting: String?) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.bearer = bearer.flatMap { $0.isEmpty ? nil : $0 }
        self.bearerSetting = bearerSetting
    }
}

/// `http.check`: GET/POST/HEAD a URL (or `service` + `path`), report status and latency, and, for a JSON health answer,
/// its `status` and `components`. Parameters: `url` | `service`+`path`, `method`, `body` (JSON text, POST),
/// `name`, `timeout_seconds` (default 5), `expect` (status; default any 2xx), `max_ms`, `soft` (report a failure as a
/// red line instead of failing the command — for `status`, which must show every dependency).
package struct HTTPCheck: Action {
    package let name = "http.check"
    package let readOnly: Bool
    let http: HTTPClient
    let services: [String: HTTPService]

    /// `readOnly` is true for the read-only variant registered as `http.check`; POSTs are only allowed in `http.post`.
    package init(http: HTTPClient, services: [String: HTTPService]) {
        self.http = http
        self.services = services
        readOnly = true
    }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let method = (parameters["method"]?.stringValue ?? "GET").uppercased()
        guard ["GET", "HEAD"].contains(method) else {
            throw .badParameter(name, "`http.check` only reads (GET or HEAD); use `http.post` to send something")
        }
        return try await HTTPProbe(http: http, services: services, action: name).run(method: method, parameters, context: context)
    }
}

/// `http.post`: like `http.check` but POSTs `body` (JSON text) — it may change things (a test notification), so it is
/// not read-only.
package struct HTTPPost: Action {
    package let name = "http.post"
    package let readOnly = false
    let http: HTTPClient
    let services: [String: HTTPService]

    package init(http: HTTPClient, services: [String: HTTPService]) {
        self.http = http
        self.services = services
    }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        try await HTTPProbe(http: http, services: services, action: name).run(method: "POST", parameters, context: context)
    }
}

struct HTTPProbe: Sendable {
    let http: HTTPClient
    let services: [String: HTTPService]
    let action: String

    static let healthyWords: Set<String> = ["healthy", "ok", "up", "pass", "passing", "green", "available", "operational", "ready"]
    /// A `status` that says something is wrong; any other word (e.g. `sent`) is reported but not judged.
    static let unhealthyWords: Set<String> = [
        "unhealthy", "degraded", "down", "fail", "failing", "failed", "error", "critical", "red", "unavailable", "warn", "warning",
    ]

    func run(method: String, _ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let soft = parameters["soft"] == .bool(true)
        let (url, service) = try target(parameters)
        let label = parameters["name"]?.stringValue ?? RedactedURL.render(url)
        let timeout = Duration.seconds(max(1, min(60, parameters["timeout_seconds"]?.intValue ?? 5)))
        var headers = [("Accept", "application/json"), ("User-Agent", "hybridbot")]
        if let bearer = service?.bearer { headers.append(("Authorization", "Bearer " + bearer)) }
        var body: [UInt8]?
        if method == "POST" {
            let text = parameters["body"]?.stringValue ?? "{}"
            guard (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil else {
                throw .badParameter(action, "`body` must be JSON text")
            }
            body = Array(text.utf8)
            headers.append(("Content-Type", "application/json"))
        }
        let request = HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout, maxResponseBytes: 1 << 20)
        let dependency = "\(label) (\(RedactedURL.render(url)))"
        func fail(_ message: String) throws(ActionFailure) -> ActionOutput {
            guard soft else { throw ActionFailure(dependency: dependency, message: message) }
            return ActionOutput(
                summary: OutputLine.indicator(name: label, value: message, threshold: nil, healthy: false),
                facts: ["healthy": "false"])
        }
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError {
            if error.isTimeout { return try fail("no answer within \(timeout.shortDescription) — is the service up and reachable from the bot?") }
            if error.isCouldNotConnect { return try fail("connection refused or host not found — check the URL and that the service runs") }
            return try fail("request failed: \(error)")
        } catch {
            return try fail("request failed")
        }
        let ms = Int((Double(response.elapsed.components.attoseconds) / 1e15) + Double(response.elapsed.components.seconds) * 1000)
        if response.status == 401 || response.status == 403 {
            let hint = service?.bearerSetting.map { " — check \($0)" + (service?.bearer == nil ? " (it is not set)" : "") } ?? ""
            return try fail("HTTP \(response.status) \(response.status == 401 ? "Unauthorized" : "Forbidden")\(hint)")
        }
        let expected = parameters["expect"]?.intValue
        let statusOK = expected.map { response.status == $0 } ?? (200..<300).contains(response.status)
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let reported = (json?["status"] as? String)
        var details: [OutputDetail] = []
        var unhealthyComponents = 0
        if let components = Self.components(json) {
            let judged = components.map { (name: $0.0, status: $0.1, healthy: Self.healthyWords.contains($0.1.lowercased())) }
            unhealthyComponents = judged.filter { !$0.healthy }.count
            let rows = judged.map { [OutputLine.mark($0.healthy), $0.name, $0.status] }
            details.append(.table(OutputTable(columns: ["", "component", "status"], rows: rows)))
        }
        guard statusOK else {
            let said = (json?["detail"] as? String) ?? (json?["error"] as? String) ?? (json?["message"] as? String)
            return try fail("HTTP \(response.status)" + (said.map { ": \($0.prefix(200))" } ?? "") + " after \(ms) ms")
        }
        let slow = parameters["max_ms"]?.intValue.map { ms >= $0 } ?? false
        let reportedHealthy = reported.map { !Self.unhealthyWords.contains($0.lowercased()) } ?? true
        let healthy = !slow && reportedHealthy && unhealthyComponents == 0
        var value = "HTTP \(response.status) in \(ms) ms"
        if let reported { value += ", status `\(SlackText.escaped(String(reported.prefix(40))))`" }
        if unhealthyComponents > 0 { value += ", \(unhealthyComponents) component\(unhealthyComponents == 1 ? "" : "s") unhealthy" }
        if slow, let max = parameters["max_ms"]?.intValue { value += " (slower than \(max) ms)" }
        return ActionOutput(
            summary: OutputLine.indicator(name: label, value: value, threshold: nil, healthy: healthy),
            facts: ["status": String(response.status), "latency_ms": String(ms), "healthy": String(healthy)],
            details: details)
    }

    private func target(_ parameters: [String: ResolvedValue]) throws(ActionFailure) -> (String, HTTPService?) {
        if let name = parameters["service"]?.stringValue {
            guard let service = services[name] else { throw .badParameter(action, "unknown service `\(name)`") }
            let path = parameters["path"]?.stringValue ?? "/"
            guard path.hasPrefix("/"), !path.contains(".."), !path.contains("@"), !path.contains("#") else {
                throw .badParameter(action, "`path` must be an absolute path")
            }
            return (service.baseURL + path, service)
        }
        guard let url = parameters["url"]?.stringValue, url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw .badParameter(action, "give `url` (http or https) or `service`")
        }
        return (url, nil)
    }

    /// `components` as `{name: "healthy"}`, `{name: {"status": …}}` or `[{"name": …, "status": …}]`.
    static func components(_ json: [String: Any]?) -> [(String, String)]? {
        guard let raw = json?["components"] else { return nil }
        if let map = raw as? [String: Any] {
            return map.keys.sorted().map { key in (key, status(of: map[key]) ?? "unknown") }
        }
        if let list = raw as? [[String: Any]] {
            return list.map { ((($0["name"] as? String) ?? "?"), status(of: $0) ?? "unknown") }
        }
        return nil
    }

    private static func status(of value: Any?) -> String? {
        if let s = value as? String { return s }
        if let b = value as? Bool { return b ? "healthy" : "unhealthy" }
        if let object = value as? [String: Any] {
            if let s = object["status"] as? String { return s }
            if let b = object["healthy"] as? Bool { return b ? "healthy" : "unhealthy" }
        }
        return nil
    }
}
