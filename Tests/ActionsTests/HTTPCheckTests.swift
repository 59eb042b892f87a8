import Actions
import BotCore
import Foundation
import TestSupport
import Testing

/// `http.check` / `http.post` against a fake Hybrid AI gateway speaking JSON health answers.
@Suite struct HTTPCheckTests {
    static let key = "hk_live_0123456789abcdef"

    static func gateway(_ request: SeenRequest) -> ScriptedResponse {
        guard request.headers["authorization"] == "Bearer \(key)" else {
            return .json(#"{"detail":"Invalid API key"}"#, status: 401)
        }
        switch request.path {
        case "/v1/system/health": return .json(#"{"status":"healthy","version":"2.4.1"}"#)
        case "/v1/system/health/components":
            return .json(#"{"status":"degraded","components":{"database":{"status":"healthy"},"redis":"healthy","earnings-analyzer":{"status":"unhealthy","error":"CUDA OOM"}}}"#)
        case "/slow": return ScriptedResponse(body: "{}", delay: .seconds(3))
        case "/boom": return .json(#"{"error":"internal"}"#, status: 500)
        default: return .json("{}", status: 404)
        }
    }

    func services(_ base: String, key: String? = key) -> [String: HTTPService] {
        ["gateway": HTTPService(baseURL: base, bearer: key, bearerSetting: "HYBRID_API_KEY")]
    }

    @Test func healthyGatewayIsGreenWithLatency() async throws {
        try await ScriptedHTTPServer.run(Self.gateway) { base, log in
            let check = HTTPCheck(http: sharedHTTP, services: services(base))
            let output = try await check.run(["service": .string("gateway"), "path": .string("/v1/system/health"), "name": .string("Gateway")], context: testContext())
            #expect(output.summary.hasPrefix("🟢 *Gateway*: HTTP 200 in "))
            #expect(output.summary.contains("status `healthy`"))
            #expect(output.facts["healthy"] == "true")
            #expect(log.requests.first?.method == "GET")
            #expect(!output.summary.contains(Self.key))
        }
    }

    @Test func degradedComponentIsRedAndListed() async throws {
        try await ScriptedHTTPServer.run(Self.gateway) { base, _ in
            let check = HTTPCheck(http: sharedHTTP, services: services(base))
            let output = try await check.run(["service": .string("gateway"), "path": .string("/v1/system/health/components")], context: testContext())
            #expect(output.summary.hasPrefix("🔴"))
            #expect(output.summary.contains("1 component unhealthy"))
            let table = try #require(output.tables.first)
            #expect(table.rows.map { $0[1] } == ["database", "earnings-analyzer", "redis"])
            #expect(table.rows.map { $0[0] } == ["🟢", "🔴", "🟢"])
        }
    }

    @Test func badKeyIs401WithAHintButNeverTheKey() async throws {
        try await ScriptedHTTPServer.run(Self.gateway) { base, _ in
            let check = HTTPCheck(http: sharedHTTP, services: services(base, key: "wrong-key-value"))
            do {
                _ = try await check.run(["service": .string("gateway"), "path": .string("/v1/system/health")], context: testContext())
                Issue.record("expected a failure")
            } catch let error as ActionFailure {
                #expect(error.message.contains("401"))
                #expect(error.message.contains("check HYBRID_API_KEY"))
                #expect(!error.description.contains("wrong-key-value"))
            }
            // Soft (as `status` uses it): a red line instead of a failed command.
            let soft = try await check.run(["service": .string("gateway"), "path": .string("/v1/system/health"), "soft": .bool(true)], context: testContext())
            #expect(soft.summary.hasPrefix("🔴"))
            #expect(soft.summary.contains("HYBRID_API_KEY"))
            let unset = HTTPCheck(http: sharedHTTP, services: services(base, key: nil))
            let missing = try await unset.run(["service": .string("gateway"), "path": .string("/v1/system/health"), "soft": .bool(true)], context: testContext())
            #expect(missing.summary.contains("it is not set"))
        }
    }

    @Test func timeoutAndServerErrorAreClear() async throws {
        try await ScriptedHTTPServer.run(Self.gateway) { base, _ in
            let check = HTTPCheck(http: sharedHTTP, services: services(base))
            let started = ContinuousClock.now
            do {
                _ = try await check.run(["service": .string("gateway"), "path": .string("/slow"), "timeout_seconds": .int(1)], context: testContext())
                Issue.record("expected a timeout")
            } catch let error as ActionFailure {
                #expect(error.message.contains("no answer within 1s"))
            }
            #expect(ContinuousClock.now - started < .seconds(3))
            do {
                _ = try await check.run(["service": .string("gateway"), "path": .string("/boom")], context: testContext())
                Issue.record("expected a failure")
            } catch let error as ActionFailure {
                #expect(error.message.hasPrefix("HTTP 500: internal"))
            }
        }
    }

    @Test func unreachableServiceSaysSo() async throws {
        let port = try RedisTestServer.freePort()
        let check = HTTPCheck(http: sharedHTTP, services: services("http://127.0.0.1:\(port)"))
        let output = try await check.run(["service": .string("gateway"), "path": .string("/v1/system/health"), "soft": .bool(true)], context: testContext())
        #expect(output.summary.contains("connection refused"))
    }

    @Test func postSendsJSONAndCheckRefusesToWrite() async throws {
        try await ScriptedHTTPServer.run({ _ in .json(#"{"sent":true}"#) }) { base, log in
            let post = HTTPPost(http: sharedHTTP, services: [:])
            let output = try await post.run(["url": .string(base + "/test-notification"), "name": .string("notification-service")], context: testContext())
            #expect(output.summary.hasPrefix("🟢 *notification-service*: HTTP 200"))
            #expect(log.requests.first?.method == "POST")
            #expect(log.requests.first?.body == "{}")
            #expect(log.requests.first?.headers["content-type"] == "application/json")
            let check = HTTPCheck(http: sharedHTTP, services: [:])
            await #expect(throws: ActionFailure.self) {
                try await check.run(["url": .string(base), "method": .string("POST")], context: testContext())
            }
            #expect(log.requests.count == 1)
        }
    }

    @Test func hostileTargetsAreRefusedBeforeAnyRequest() async throws {
        try await ScriptedHTTPServer.run(Self.gateway) { base, log in
            let check = HTTPCheck(http: sharedHTTP, services: services(base))
            let bad: [[String: ResolvedValue]] = [
                ["service": .string("gateway"), "path": .string("/../admin")],
                ["service": .string("gateway"), "path": .string("@evil.example/x")],
                ["service": .string("nope"), "path": .string("/")],
                ["url": .string("file:///etc/passwd")],
                ["url": .string("gopher://127.0.0.1/")],
                [:],
            ]
            for parameters in bad {
                await #expect(throws: ActionFailure.self) { try await check.run(parameters, context: testContext()) }
            }
            #expect(log.requests.isEmpty)
        }
    }
}
