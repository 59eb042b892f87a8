import Foundation
import HTTPDriver
import Testing
@testable import PagerDuty

@Suite struct PagerDutyEventsTests {
    static let routingKey = "R0UT1NGKEY0123456789abcdefABCDEF"

    struct SentEvent: Decodable {
        struct Payload: Decodable {
            var summary: String
            var source: String
            var severity: String
            var timestamp: String?
            var custom_details: [String: String]?
        }

        var routing_key: String
        var event_action: String
        var dedup_key: String
        var payload: Payload
    }

    static func withFake<T: Sendable>(_ replies: [FakeReply], _ body: @escaping @Sendable (PagerDutyEvents, FakePagerDutyState, SleepRecorder) async throws -> T) async throws -> T {
        try await FakePagerDuty.run(["POST /v2/enqueue": replies]) { base, state in
            try await withHTTPClient { http in
                let sleeps = SleepRecorder()
                let events = PagerDutyEvents(http: http, baseURL: base, routingKey: routingKey, retry: RetryPolicy(sleep: { await sleeps.record($0) }))
                return try await body(events, state, sleeps)
            }
        }
    }

    static func accepted(_ key: String) -> FakeReply {
        FakeReply(status: 202, body: #"{"status":"success","message":"Event processed","dedup_key":"\#(key)"}"#)
    }

    @Test func triggerSendsACriticalEventAndReturnsTheDedupKey() async throws {
        let at = Date(timeIntervalSince1970: 1_714_564_800)
        let (key, requests) = try await Self.withFake([Self.accepted("emergency-42")]) { events, state, _ in
            (try await events.trigger(summary: "  Checkout is down  ", source: "hybridbot (U01ALICE)", dedupKey: "emergency-42",
                                      timestamp: at, customDetails: ["declared_by": "U01ALICE"]), await state.requests)
        }
        #expect(key == "emergency-42")
        let request = try #require(requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v2/enqueue")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["authorization"] == nil)
        let sent = try JSONDecoder().decode(SentEvent.self, from: Data(request.body.utf8))
        #expect(sent.routing_key == Self.routingKey)
        #expect(sent.event_action == "trigger")
        #expect(sent.dedup_key == "emergency-42")
        #expect(sent.payload.summary == "Checkout is down")
        #expect(sent.payload.source == "hybridbot (U01ALICE)")
        #expect(sent.payload.severity == "critical")
        #expect(sent.payload.timestamp == "2024-05-01T12:00:00Z")
        #expect(sent.payload.custom_details == ["declared_by": "U01ALICE"])
    }

    @Test func generatedDedupKeysAreUnique() async throws {
        let keys = try await Self.withFake([FakeReply(status: 202, body: #"{"status":"success","message":"Event processed"}"#)]) { events, state, _ -> ([String], [String]) in
            let a = try await events.trigger(summary: "one", source: "hybridbot")
            let b = try await events.trigger(summary: "two", source: "hybridbot")
            let requests = await state.requests
            let sent = try requests.map { try JSONDecoder().decode(SentEvent.self, from: Data($0.body.utf8)).dedup_key }
            return ([a, b], sent)
        }
        #expect(keys.0 == keys.1)  // no echo from PagerDuty: ours is returned
        #expect(keys.0[0] != keys.0[1])
        #expect(keys.0.allSatisfy { $0.hasPrefix("hybridbot-") })
    }

    @Test func invalidEventIsReportedWithoutTheRoutingKey() async throws {
        let reply = FakeReply(status: 400, body: #"{"status":"invalid event","message":"Event object is invalid","errors":["'routing_key' \#(Self.routingKey) is invalid"]}"#)
        let error = try await Self.withFake([reply]) { events, _, _ -> PagerDutyError? in
            do { _ = try await events.trigger(summary: "x", source: "hybridbot"); return nil } catch { return error as? PagerDutyError }
        }
        guard case .invalid(let message, let details) = error else {
            Issue.record("expected invalid, got \(String(describing: error))")
            return
        }
        #expect(message == "Event object is invalid")
        #expect(details == ["'routing_key' [redacted] is invalid"])
        #expect(error?.description.contains(Self.routingKey) == false)
    }

    @Test func rateLimitIsRetried() async throws {
        let (key, count, waits) = try await Self.withFake([FakeReply(status: 429), Self.accepted("k1")]) { events, state, sleeps in
            (try await events.trigger(summary: "x", source: "hybridbot", dedupKey: "k1"), await state.requests.count, await sleeps.waits)
        }
        #expect(key == "k1")
        #expect(count == 2)
        #expect(waits == [.milliseconds(1500)])  // no Retry-After: the default
    }

    @Test func persistentRateLimitIsTyped() async throws {
        let error = try await Self.withFake([FakeReply(status: 429)]) { events, _, _ -> PagerDutyError? in
            do { _ = try await events.trigger(summary: "x", source: "hybridbot"); return nil } catch { return error as? PagerDutyError }
        }
        #expect(error == .rateLimited(retries: 2))
    }

    @Test func emptySummaryIsRefusedLocally() async throws {
        let count = try await Self.withFake([Self.accepted("k")]) { events, state, _ -> Int in
            await #expect(throws: PagerDutyError.badInput("an emergency needs a summary")) {
                _ = try await events.trigger(summary: "   ", source: "hybridbot")
            }
            return await state.requests.count
        }
        #expect(count == 0)
    }
}
