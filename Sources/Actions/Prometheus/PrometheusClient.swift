import Foundation
import HTTPDriver

/// One labelled sample of an instant vector (or one point of a range series).
package struct PrometheusSample: Sendable, Equatable {
    package let labels: [String: String]
    package let value: Double

    package init(labels: [String: String], value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// A series of a range query.
package struct PrometheusSeries: Sendable, Equatable {
    package let labels: [String: String]
    package let points: [(at: Double, value: Double)]

    package static func == (a: Self, b: Self) -> Bool {
        a.labels == b.labels && a.points.count == b.points.count
            && zip(a.points, b.points).allSatisfy { $0.at == $1.at && ($0.value == $1.value || ($0.value.isNaN && $1.value.isNaN)) }
    }
}

/// `data` of a successful `/api/v1/query` or `/api/v1/query_range` answer.
package enum PrometheusResult: Sendable, Equatable {
    case vector([PrometheusSample])
    case scalar(Double)
    case matrix([PrometheusSeries])
    case string(String)

    /// The single number a threshold check wants: a scalar, or the first sample of a vector (nil when empty).
    package var firstValue: Double? {
        switch self {
        case .scalar(let v): v
        case .vector(let samples): samples.first?.value
        case .matrix(let series): series.first?.points.last?.value
        case .string(let s): Double(s)
        }
    }
}

/// Why a query gave no result: Prometheus said no (its `errorType`/`error`), or it could not be reached.
package struct PrometheusError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable { case unreachable, timeout, rejected, badAnswer }
    package let kind: Kind
    package let message: String

    package var description: String { message }
}

/// The Prometheus HTTP API (`PROMETHEUS_URL`): instant and range queries over libcurl.
package struct PrometheusClient: Sendable {
    package let baseURL: String
    private let http: HTTPClient
    private let timeout: Duration

    package init(baseURL: String, http: HTTPClient, timeout: Duration = .seconds(10)) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.http = http
        self.timeout = timeout
    }

    /// `GET /api/v1/query?query=…` (instant query, now).
    package func query(_ promql: String) async throws(PrometheusError) -> PrometheusResult {
        try await get("/api/v1/query", ["query": promql, "timeout": "\(Int(timeout.components.seconds))s"])
    }

    /// `GET /api/v1/query_range` over the last `window`, one point per `step`.
    package func queryRange(_ promql: String, window: Duration, step: Duration, now: Date = Date()) async throws(PrometheusError) -> PrometheusResult {
        let end = now.timeIntervalSince1970
        let start = end - Double(window.components.seconds)
        return try await get("/api/v1/query_range", [
            "query": promql, "start": String(format: "%.3f", start), "end": String(format: "%.3f", end),
            "step": "\(max(1, step.components.seconds))s",
        ])
    }

    private func get(_ path: String, _ parameters: [String: String]) async throws(PrometheusError) -> PrometheusResult {
        let query = parameters.sorted { $0.key < $1.key }.map { "\(Self.escape($0.key))=\(Self.escape($0.value))" }.joined(separator: "&")
        let request = HTTPRequest(
            method: "GET", url: baseURL + path + "?" + query, headers: [("Accept", "application/json")], timeout: timeout,
            maxResponseBytes: 8 << 20)
        let response: HTTPResponse
        do {
            response = try await http.execute(request)
        } catch let error as HTTPClientError {
            if error.isTimeout { throw PrometheusError(kind: .timeout, message: "Prometheus did not answer within \(timeout.shortDescription)") }
            throw PrometheusError(kind: .unreachable, message: "cannot reach Prometheus at \(RedactedURL.render(baseURL)): \(error)")
        } catch {
            throw PrometheusError(kind: .unreachable, message: "cannot reach Prometheus at \(RedactedURL.render(baseURL))")
        }
        return try Self.parse(status: response.status, body: response.body)
    }

    /// Parses an API answer: `{"status":"success","data":{"resultType":…,"result":…}}` or
    /// `{"status":"error","errorType":…,"error":…}` (HTTP 400, 422, 503).
    package static func parse(status: Int, body: [UInt8]) throws(PrometheusError) -> PrometheusResult {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw PrometheusError(kind: .badAnswer, message: "Prometheus answered HTTP \(status) with something that is not its JSON API")
        }
        if object["status"] as? String == "error" {
            let type = object["errorType"] as? String ?? "error"
            let text = object["error"] as? String ?? "no message"
            throw PrometheusError(kind: .rejected, message: "Prometheus refused the query (\(type)): \(text.prefix(300))")
        }
        guard object["status"] as? String == "success", (200..<300).contains(status),
              let data = object["data"] as? [String: Any], let type = data["resultType"] as? String else {
            throw PrometheusError(kind: .badAnswer, message: "Prometheus answered HTTP \(status) without a result")
        }
        let bad = PrometheusError(kind: .badAnswer, message: "Prometheus answered a \(type) result in an unexpected shape")
        switch type {
        case "scalar":
            guard let pair = data["result"] as? [Any], let v = value(pair) else { throw bad }
            return .scalar(v)
        case "string":
            guard let pair = data["result"] as? [Any], pair.count == 2, let s = pair[1] as? String else { throw bad }
            return .string(s)
        case "vector":
            guard let items = data["result"] as? [[String: Any]] else { throw bad }
            var samples: [PrometheusSample] = []
            for item in items {
                guard let pair = item["value"] as? [Any], let v = value(pair) else { throw bad }
                samples.append(PrometheusSample(labels: labels(item), value: v))
            }
            return .vector(samples)
        case "matrix":
            guard let items = data["result"] as? [[String: Any]] else { throw bad }
            var series: [PrometheusSeries] = []
            for item in items {
                guard let values = item["values"] as? [[Any]] else { throw bad }
                var points: [(at: Double, value: Double)] = []
                for pair in values {
                    guard let v = value(pair), let at = (pair.first as? NSNumber)?.doubleValue else { throw bad }
                    points.append((at, v))
                }
                series.append(PrometheusSeries(labels: labels(item), points: points))
            }
            return .matrix(series)
        default:
            throw PrometheusError(kind: .badAnswer, message: "Prometheus answered an unknown result type `\(type.prefix(40))`")
        }
    }

    /// `[<unix time>, "<value>"]`; values are strings and may be `NaN`, `+Inf`, `-Inf`.
    private static func value(_ pair: [Any]) -> Double? {
        guard pair.count == 2, let text = pair[1] as? String else { return nil }
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(text)
        }
    }

    private static func labels(_ item: [String: Any]) -> [String: String] {
        (item["metric"] as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
    }

    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// Form-style percent-encoding for a query parameter (PromQL is full of `{}"=~+` and spaces).
    static func escape(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            if unreserved.contains(byte) { out.append(Character(UnicodeScalar(byte))) } else { out += String(format: "%%%02X", byte) }
        }
        return out
    }
}
