import Foundation
import HTTPDriver
import Testing
@testable import PagerDuty

@Suite struct PagerDutyRESTTests {
    static let token = "u+tok3n-SECRET-value"

    static func client(_ base: String, http: HTTPClient, sleeps: SleepRecorder = SleepRecorder()) -> PagerDutyREST {
        PagerDutyREST(http: http, baseURL: base + "/", token: token, timeout: .seconds(5),
                      retry: RetryPolicy(sleep: { await sleeps.record($0) }))
    }

    static func withFake<T: Sendable>(_ script: [String: [FakeReply]], _ body: @escaping @Sendable (PagerDutyREST, FakePagerDutyState, SleepRecorder) async throws -> T) async throws -> T {
        try await FakePagerDuty.run(script) { base, state in
            try await withHTTPClient { http in
                let sleeps = SleepRecorder()
                return try await body(client(base, http: http, sleeps: sleeps), state, sleeps)
            }
        }
    }

    static func expectStandardHeaders(_ request: RecordedRequest) {
        #expect(request.headers["authorization"] == "Token token=\(token)")
        #expect(request.headers["accept"] == "application/vnd.pagerduty+json;version=2")
        #expect(request.headers["content-type"] == "application/json")
    }

    @Test func listsOpenIncidentsWithStatusFilterAndPaging() async throws {
        let page1 = RESTFixtures.list([RESTFixtures.incident(), RESTFixtures.incident(id: "PQ2", number: 3, status: "acknowledged")], more: true)
        let page2 = RESTFixtures.list([RESTFixtures.incident(id: "PQ3", number: 4)], more: false, offset: 2)
        let (incidents, requests) = try await Self.withFake(["GET /incidents": [FakeReply(status: 200, body: page1), FakeReply(status: 200, body: page2)]]) { client, state, _ in
            (try await client.listOpenIncidents(), await state.requests)
        }
        #expect(incidents.map(\.id) == ["PGR0VU2", "PQ2", "PQ3"])
        #expect(incidents.map(\.number) == [2, 3, 4])
        let first = try #require(incidents.first)
        #expect(first.title == "API gateway p95 latency above 500 ms")
        #expect(first.assignees == ["Bob On-Call"])
        #expect(first.priority == "P1")
        #expect(first.service?.summary == "Hybrid AI API")
        #expect(first.htmlURL == "https://acme.pagerduty.com/incidents/PGR0VU2")
        #expect(requests.count == 2)
        for (index, request) in requests.enumerated() {
            Self.expectStandardHeaders(request)
            #expect(request.headers["from"] == nil)
            let query = request.query.removingPercentEncoding ?? ""
            #expect(query.contains("statuses[]=triggered&statuses[]=acknowledged"))
            #expect(query.contains("offset=\(index * 2)"))
        }
    }

    @Test func acknowledgeSendsFromAndIncidentReference() async throws {
        let (incident, requests) = try await Self.withFake([
            "PUT /incidents/PGR0VU2": [FakeReply(status: 200, body: RESTFixtures.one(RESTFixtures.incident(status: "acknowledged")))]
        ]) { client, state, _ in
            (try await client.update(id: "PGR0VU2", status: .acknowledged, from: "alice@example.com"), await state.requests)
        }
        #expect(incident.status == "acknowledged")
        let request = try #require(requests.first)
        #expect(request.method == "PUT")
        Self.expectStandardHeaders(request)
        #expect(request.headers["from"] == "alice@example.com")
        struct Body: Decodable, Equatable {
            struct Ref: Decodable, Equatable { var type: String; var status: String }
            var incident: Ref
        }
        let body = try JSONDecoder().decode(Body.self, from: Data(request.body.utf8))
        #expect(body == Body(incident: .init(type: "incident_reference", status: "acknowledged")))
    }

    @Test func fetchesOneIncident() async throws {
        let incident = try await Self.withFake(["GET /incidents/PQ2": [FakeReply(status: 200, body: RESTFixtures.one(RESTFixtures.incident(id: "PQ2", number: 9, status: "resolved")))]]) { client, _, _ in
            try await client.incident(id: "PQ2")
        }
        #expect(incident.id == "PQ2")
        #expect(incident.number == 9)
        #expect(incident.knownStatus == .resolved)
    }

    @Test func alreadyResolvedKeepsPagerDutysWords() async throws {
        let error = try await Self.withFake(["PUT /incidents/PGR0VU2": [FakeReply(status: 400, body: RESTFixtures.alreadyResolved)]]) { client, _, _ -> PagerDutyError? in
            await #expect(throws: PagerDutyError.self) { _ = try await client.update(id: "PGR0VU2", status: .resolved, from: "alice@example.com") }
            do {
                _ = try await client.update(id: "PGR0VU2", status: .resolved, from: "alice@example.com")
                return nil
            } catch {
                return error as? PagerDutyError
            }
        }
        #expect(error == .invalid(message: "Invalid Input Provided", details: ["Incident Already Resolved"]))
        #expect(error?.description.contains("Incident Already Resolved") == true)
        #expect(error?.pagerDutyMessages.contains("Incident Already Resolved") == true)
    }

    @Test(arguments: [
        (401, RESTFixtures.unauthorized, PagerDutyError.unauthorized),
        (403, RESTFixtures.forbidden, .forbidden(message: "Access Denied — The requester has no access to this incident")),
        (404, #"{"error":{"message":"Not Found","code":2100}}"#, .notFound(message: "Not Found")),
        (500, "<html>oops</html>", .server(status: 500, message: "")),
    ])
    func errorStatusesAreTyped(_ status: Int, body: String, expected: PagerDutyError) async throws {
        let error = try await Self.withFake(["PUT /incidents/PGR0VU2": [FakeReply(status: status, body: body)]]) { client, _, _ -> PagerDutyError? in
            do {
                _ = try await client.update(id: "PGR0VU2", status: .acknowledged, from: "alice@example.com")
                return nil
            } catch {
                return error as? PagerDutyError
            }
        }
        #expect(error == expected)
        #expect(error?.description.contains(Self.token) == false)
    }

    @Test func rateLimitHonoursRetryAfterThenSucceeds() async throws {
        let (incident, requests, waits) = try await Self.withFake([
            "PUT /incidents/PGR0VU2": [
                FakeReply(status: 429, headers: [("Retry-After", "3")], body: RESTFixtures.rateLimited),
                FakeReply(status: 429, headers: [("ratelimit-reset", "1")], body: RESTFixtures.rateLimited),
                FakeReply(status: 200, body: RESTFixtures.one(RESTFixtures.incident(status: "acknowledged"))),
            ],
        ]) { client, state, sleeps in
            (try await client.update(id: "PGR0VU2", status: .acknowledged, from: "alice@example.com"), await state.requests, await sleeps.waits)
        }
        #expect(incident.status == "acknowledged")
        #expect(requests.count == 3)
        #expect(requests.allSatisfy { $0.headers["from"] == "alice@example.com" })
        #expect(waits == [.seconds(3), .seconds(1)])
    }

    @Test func rateLimitGivesUpAfterTwoRetries() async throws {
        let (error, requests, waits) = try await Self.withFake([
            "GET /incidents": [FakeReply(status: 429, headers: [("Retry-After", "600")], body: RESTFixtures.rateLimited)],
        ]) { client, state, sleeps -> (PagerDutyError?, Int, [Duration]) in
            var caught: PagerDutyError?
            do { _ = try await client.listOpenIncidents() } catch { caught = error as? PagerDutyError }
            return (caught, await state.requests.count, await sleeps.waits)
        }
        #expect(error == .rateLimited(retries: 2))
        #expect(requests == 3)
        #expect(waits == [.seconds(10), .seconds(10)])  // 600 s capped
    }

    @Test func tokenEchoedByPagerDutyIsRedacted() async throws {
        let body = #"{"error":{"message":"Token token=\#(Self.token) is not valid here","code":2000}}"#
        let error = try await Self.withFake(["GET /incidents/PQ2": [FakeReply(status: 502, body: body)]]) { client, _, _ -> PagerDutyError? in
            do { _ = try await client.incident(id: "PQ2"); return nil } catch { return error as? PagerDutyError }
        }
        let text = try #require(error?.description)
        #expect(!text.contains(Self.token))
        #expect(text.contains("[redacted]"))
        #expect(text.contains("502"))
    }

    @Test func unreachableIsTransportWithoutToken() async throws {
        // Port 1 on loopback: nothing listens there.
        let caught = try await withHTTPClient { http -> PagerDutyError? in
            let client = PagerDutyREST(http: http, baseURL: "http://127.0.0.1:1", token: Self.token, retry: RetryPolicy(sleep: { _ in }))
            do { _ = try await client.incident(id: "PQ2"); return nil } catch { return error as? PagerDutyError }
        }
        guard case .transport(let detail) = caught else {
            Issue.record("expected transport, got \(String(describing: caught))")
            return
        }
        #expect(!detail.contains(Self.token))
    }

    @Test(arguments: ["", "../users", "PQ2?x=1", "PQ 2", "PQ2/notes"])
    func badIncidentIDNeverReachesTheNetwork(_ id: String) async throws {
        let count = try await Self.withFake([:]) { client, state, _ -> Int in
            await #expect(throws: PagerDutyError.self) { _ = try await client.update(id: id, status: .resolved, from: "a@b.c") }
            await #expect(throws: PagerDutyError.self) { _ = try await client.incident(id: id) }
            return await state.requests.count
        }
        #expect(count == 0)
    }

    @Test(arguments: ["", "alice", "alice@", "a@b\r\nX-Evil: 1", "a b@c.d"])
    func badFromEmailIsRefused(_ email: String) async throws {
        let count = try await Self.withFake([:]) { client, state, _ -> Int in
            await #expect(throws: PagerDutyError.self) { _ = try await client.update(id: "PQ2", status: .resolved, from: email) }
            return await state.requests.count
        }
        #expect(count == 0)
    }
}
