import Actions
import BotCore
import Foundation
import TestSupport
import Testing

/// The Prometheus client and actions against a real Prometheus 2.42 (Debian package) scraping a static exporter
/// every second. Fails — never skips — when `/usr/bin/prometheus` is missing (`make test` installs it).
/// Most of the ~6–8 s it takes is Prometheus applying its scrape target (at most every 5 s, not configurable).
@Suite struct PrometheusRealServerTests {
    /// What the exporter serves: a summary by handler (p95 of /v1/analyze is 812 ms) and a queue depth of 140.
    static let metrics = """
        # HELP http_request_duration_seconds Request duration by handler.
        # TYPE http_request_duration_seconds summary
        http_request_duration_seconds{quantile="0.5",handler="/v1/analyze"} 0.301
        http_request_duration_seconds{quantile="0.95",handler="/v1/analyze"} 0.812
        http_request_duration_seconds_sum{handler="/v1/analyze"} 1204.5
        http_request_duration_seconds_count{handler="/v1/analyze"} 3650
        http_request_duration_seconds{quantile="0.5",handler="/v1/fast"} 0.040
        http_request_duration_seconds{quantile="0.95",handler="/v1/fast"} 0.120
        http_request_duration_seconds_sum{handler="/v1/fast"} 310.2
        http_request_duration_seconds_count{handler="/v1/fast"} 6012
        http_request_duration_seconds{quantile="0.5",handler="/v1/health"} 0.002
        http_request_duration_seconds{quantile="0.95",handler="/v1/health"} 0.004
        http_request_duration_seconds_sum{handler="/v1/health"} 1.9
        http_request_duration_seconds_count{handler="/v1/health"} 720
        # HELP hybrid_queue_depth Requests waiting for a worker.
        # TYPE hybrid_queue_depth gauge
        hybrid_queue_depth 140

        """

    static let p95 = #"max(http_request_duration_seconds{quantile="0.95",handler="/v1/analyze"})"#

    @Test func queriesIndicatorsTablesErrorsAndRangesAgainstARealServer() async throws {
        let started = ContinuousClock.now
        try await PrometheusTestServer.with(exporting: Self.metrics) { server in
            let client = PrometheusClient(baseURL: server.url, http: sharedHTTP, timeout: .seconds(5))
            try await Self.waitUntilScraped(client, server: server, within: .seconds(15))

            // One indicator: p95 812 ms against a 500 ms ceiling.
            let p95 = try await PrometheusQuery(client: client).run(
                ["name": .string("p95 /v1/analyze"), "query": .string(Self.p95), "unit": .string("ms"), "scale": .int(1000), "max": .int(500)],
                context: testContext())
            #expect(p95.summary.hasPrefix("🔴"), "\(p95.summary)")
            #expect(p95.summary.contains("812 ms"), "\(p95.summary)")
            #expect(p95.summary.contains("healthy below 500 ms"), "\(p95.summary)")
            #expect(p95.facts["value"].flatMap(Double.init).map { abs($0 - 812) < 1e-6 } == true, "\(p95.facts)")

            // Several indicators: p95 and queue depth red, the scrape itself green.
            let indicators = try await PrometheusIndicators(client: client).run(
                ["title": .string("API health"), "indicators": .list([
                    .map(["name": .string("p95"), "query": .string(Self.p95), "unit": .string("ms"), "scale": .int(1000), "max": .int(500)]),
                    .map(["name": .string("Queue depth"), "query": .string("hybrid_queue_depth"), "max": .int(100)]),
                    .map(["name": .string("Exporter up"), "query": .string(#"up{job="exporter"}"#), "min": .double(0.5)]),
                ])],
                context: testContext())
            let lines = indicators.indicators
            #expect(lines.map(\.name) == ["p95", "Queue depth", "Exporter up"])
            #expect(lines.map(\.healthy) == [false, false, true])
            #expect(lines.map(\.value) == ["812 ms", "140", "1"])
            #expect(indicators.summary == "API health (Prometheus): *2 red*")
            #expect(indicators.facts["red"] == "2")

            // By handler: one row per series, slowest first, judged row by row.
            let byHandler = try await PrometheusQuery(client: client).run(
                ["name": .string("p95 by handler"), "query": .string(#"max by (handler) (http_request_duration_seconds{quantile="0.95"})"#),
                 "by": .string("handler"), "unit": .string("ms"), "scale": .int(1000), "max": .int(500)],
                context: testContext())
            let table = try #require(byHandler.tables.first)
            #expect(table.columns == ["", "handler", "value"])
            #expect(table.rows == [["🔴", "/v1/analyze", "812 ms"], ["🟢", "/v1/fast", "120 ms"], ["🟢", "/v1/health", "4 ms"]])
            #expect(byHandler.summary == "*p95 by handler (healthy below 500 ms)*: *1 red*")
            #expect(byHandler.facts["p95 by handler"] == "3 series")

            // Invalid PromQL: rejected, with Prometheus' own parser message.
            let broken = #"sum(rate(http_request_duration_seconds_count[5m])"#
            do throws(PrometheusError) {
                _ = try await client.query(broken)
                Issue.record("Prometheus accepted \(broken)")
            } catch {
                #expect(error.kind == .rejected)
                #expect(error.message.contains("(bad_data)"), "\(error.message)")
                #expect(error.message.contains("parse error"), "\(error.message)")
                #expect(error.message.contains("unclosed left parenthesis"), "\(error.message)")
            }
            do throws(ActionFailure) {
                _ = try await PrometheusQuery(client: client).run(["name": .string("broken"), "query": .string(broken)], context: testContext())
                Issue.record("the action accepted \(broken)")
            } catch {
                #expect(error.dependency == "Prometheus")
                #expect(error.message.contains("unclosed left parenthesis"), "\(error.message)")
                #expect(error.message.contains("PROMETHEUS_URL"), "\(error.message)")
            }

            // query_range: a matrix, one series, every point the served value, timestamps on the 1 s step grid.
            let range = try await client.queryRange("hybrid_queue_depth", window: .seconds(30), step: .seconds(1))
            guard case .matrix(let series) = range else {
                Issue.record("query_range answered \(range), not a matrix")
                return
            }
            #expect(series.count == 1)
            let only = try #require(series.first)
            #expect(only.labels["__name__"] == "hybrid_queue_depth")
            #expect(only.labels["job"] == "exporter")
            #expect(only.labels["instance"] == server.target)
            #expect(!only.points.isEmpty && only.points.count <= 31, "\(only.points.count) points")
            #expect(only.points.allSatisfy { $0.value == 140 })
            #expect(zip(only.points, only.points.dropFirst()).allSatisfy { abs($1.at - $0.at - 1) < 1e-6 })
            #expect(range.firstValue == 140)
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(30), "took \(elapsed), the budget is 30 s")
    }

    /// Polls `up{job="exporter"} == 1` until Prometheus has scraped the exporter once.
    static func waitUntilScraped(_ client: PrometheusClient, server: PrometheusTestServer, within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        var last = "no answer yet"
        while ContinuousClock.now < deadline {
            do {
                if case .vector(let samples) = try await client.query(#"up{job="exporter"} == 1"#), !samples.isEmpty { return }
                last = "up{job=\"exporter\"} is not 1 yet"
            } catch {
                last = error.message
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw NotScraped(description: "Prometheus did not scrape \(server.target) within \(limit) (\(last)); log: \(server.log().suffix(1500))")
    }

    struct NotScraped: Error, CustomStringConvertible {
        let description: String
    }
}
