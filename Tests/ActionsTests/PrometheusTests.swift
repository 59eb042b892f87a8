import Actions
import BotCore
import Foundation
import TestSupport
import Testing

/// The Prometheus client and actions against a fake speaking the exact `/api/v1/query` JSON.
@Suite struct PrometheusTests {
    static let p95 = #"max(http_request_duration_seconds{quantile="0.95"})"#

    static func vector(_ samples: [([String: String], String)]) -> String {
        let items = samples.map { labels, value in
            let metric = labels.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
            return #"{"metric":{\#(metric)},"value":[1764100000.123,"\#(value)"]}"#
        }
        return #"{"status":"success","data":{"resultType":"vector","result":[\#(items.joined(separator: ","))]}}"#
    }

    @Test func parsesEveryResultType() throws {
        let vector = try PrometheusClient.parse(status: 200, body: Array(Self.vector([(["job": "api"], "0.5"), ([:], "NaN")]).utf8))
        guard case .vector(let samples) = vector else { Issue.record("not a vector"); return }
        #expect(samples.count == 2)
        #expect(samples[0] == PrometheusSample(labels: ["job": "api"], value: 0.5))
        #expect(samples[1].value.isNaN)

        let scalar = try PrometheusClient.parse(status: 200, body: Array(#"{"status":"success","data":{"resultType":"scalar","result":[1764100000,"+Inf"]}}"#.utf8))
        #expect(scalar == .scalar(.infinity))

        let matrix = try PrometheusClient.parse(status: 200, body: Array(#"""
            {"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"a"},"values":[[1764100000,"1"],[1764100060,"2.5"]]}]}}
            """#.utf8))
        guard case .matrix(let series) = matrix else { Issue.record("not a matrix"); return }
        #expect(series.first?.points.map(\.value) == [1, 2.5])
        #expect(matrix.firstValue == 2.5)

        let string = try PrometheusClient.parse(status: 200, body: Array(#"{"status":"success","data":{"resultType":"string","result":[1764100000,"hello"]}}"#.utf8))
        #expect(string == .string("hello"))
    }

    @Test func errorBodiesAndGarbageAreTypedErrors() {
        let error = #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected <EOF>"}"#
        #expect(throws: PrometheusError.self) { try PrometheusClient.parse(status: 400, body: Array(error.utf8)) }
        do {
            _ = try PrometheusClient.parse(status: 400, body: Array(error.utf8))
        } catch {
            #expect(error.kind == .rejected)
            #expect(error.message.contains("bad_data"))
            #expect(error.message.contains("parse error"))
        }
        for garbage in ["", "<html>502 Bad Gateway</html>", "{", #"{"status":"success"}"#, #"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,2]}]}}"#,
                        #"{"status":"success","data":{"resultType":"weird","result":[]}}"#] {
            #expect(throws: PrometheusError.self, "\(garbage)") { try PrometheusClient.parse(status: 200, body: Array(garbage.utf8)) }
        }
    }

    @Test func queryIsSentEncodedAndJudgedAgainstItsThreshold() async throws {
        try await ScriptedHTTPServer.run({ request in
            request.query["query"] == Self.p95 ? .json(Self.vector([([:], "0.812")])) : .json(#"{"status":"error","errorType":"bad_data","error":"unexpected query"}"#, status: 400)
        }) { base, log in
            let action = PrometheusQuery(client: PrometheusClient(baseURL: base + "/", http: sharedHTTP))
            let output = try await action.run(
                ["name": .string("p95"), "query": .string(Self.p95), "unit": .string("ms"), "scale": .int(1000), "max": .int(500)],
                context: testContext())
            #expect(output.summary.contains("🔴"))
            #expect(output.summary.contains("812 ms"))
            #expect(output.summary.contains("healthy below 500 ms"))
            #expect(output.facts["value"] == "812.0")
            let seen = log.requests
            #expect(seen.count == 1)
            #expect(seen.first?.path == "/api/v1/query")
            #expect(seen.first?.query["query"] == Self.p95)
        }
    }

    @Test func seriesByLabelBecomeATableSortedByValue() async throws {
        try await ScriptedHTTPServer.run({ _ in
            .json(Self.vector([(["handler": "/v1/fast"], "0.1"), (["handler": "/v1/analyze"], "1.2"), (["handler": "/v1/health"], "0.01")]))
        }) { base, _ in
            let action = PrometheusQuery(client: PrometheusClient(baseURL: base, http: sharedHTTP))
            let output = try await action.run(
                ["name": .string("Slowest"), "query": .string("x"), "by": .string("handler"), "scale": .int(1000), "unit": .string("ms"), "max": .int(500)],
                context: testContext())
            let table = try #require(output.tables.first)
            #expect(table.rows.map { $0[1] } == ["/v1/analyze", "/v1/fast", "/v1/health"])
            #expect(table.rows.map { $0[0] } == ["🔴", "🟢", "🟢"])
            #expect(table.rows[0][2] == "1200 ms")
        }
    }

    @Test func indicatorsShowEachLineEvenWhenOneQueryFails() async throws {
        try await ScriptedHTTPServer.run({ request in
            switch request.query["query"] {
            case "good": .json(Self.vector([([:], "0.999")]))
            case "bad": .json(Self.vector([([:], "0.97")]))
            case "empty": .json(Self.vector([]))
            default: .json(#"{"status":"error","errorType":"execution","error":"query timed out in expression evaluation"}"#, status: 503)
            }
        }) { base, _ in
            let action = PrometheusIndicators(client: PrometheusClient(baseURL: base, http: sharedHTTP))
            func indicator(_ name: String, _ query: String) -> ResolvedValue {
                .map(["name": .string(name), "query": .string(query), "unit": .string("%"), "scale": .int(100), "min": .double(99.5)])
            }
            let output = try await action.run(
                ["indicators": .list([indicator("A", "good"), indicator("B", "bad"), indicator("C", "empty"), indicator("D", "broken")])],
                context: testContext())
            let lines = output.indicators
            #expect(lines.map(\.name) == ["A", "B", "C", "D"])
            #expect(lines.map(\.healthy) == [true, false, nil, nil])
            #expect(lines[0].value == "99.9 %")
            #expect(lines[2].value.contains("no data"))
            #expect(lines[3].value.contains("query timed out"))
            #expect(output.summary.contains("1 red"))
            #expect(output.facts["red"] == "1")
        }
    }

    @Test func unreachablePrometheusFailsWithWhatToCheck() async throws {
        let port = try RedisTestServer.freePort()
        let action = PrometheusQuery(client: PrometheusClient(baseURL: "http://127.0.0.1:\(port)", http: sharedHTTP))
        do {
            _ = try await action.run(["name": .string("p95"), "query": .string("up")], context: testContext())
            Issue.record("expected a failure")
        } catch {
            #expect(error.dependency == "Prometheus")
            #expect(error.message.contains("PROMETHEUS_URL"))
        }
        let all = PrometheusIndicators(client: PrometheusClient(baseURL: "http://127.0.0.1:\(port)", http: sharedHTTP))
        await #expect(throws: ActionFailure.self) {
            try await all.run(["indicators": .list([.map(["name": .string("x"), "query": .string("up")])])], context: testContext())
        }
    }

    @Test func badIndicatorParametersAreRefused() async throws {
        let action = PrometheusIndicators(client: PrometheusClient(baseURL: "http://127.0.0.1:9", http: sharedHTTP))
        for parameters: [String: ResolvedValue] in [[:], ["indicators": .string("x")], ["indicators": .list([.map(["name": .string("no query")])])]] {
            await #expect(throws: ActionFailure.self) { try await action.run(parameters, context: testContext()) }
        }
    }
}
