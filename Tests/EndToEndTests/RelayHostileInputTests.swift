import BotCore
import BotServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing

/// Bad tokens and bad input on every relay route: a clear status, nothing changes, the relay keeps serving.
@Suite("relay hostile input")
struct RelayHostileInputTests {
    enum BadAuth: String, CaseIterable, Sendable {
        case none, wrongToken, shortToken, longerToken, basic, bearerAlone, tokenWithoutScheme, doubleSpace

        var header: String? {
            switch self {
            case .none: nil
            case .wrongToken: "Bearer " + String(RelayBed.token.reversed())
            case .shortToken: "Bearer " + String(RelayBed.token.prefix(8))
            case .longerToken: "Bearer " + RelayBed.token + "x"
            case .basic: "Basic " + Data("core:\(RelayBed.token)".utf8).base64EncodedString()
            case .bearerAlone: "Bearer "
            case .tokenWithoutScheme: RelayBed.token
            case .doubleSpace: "Bearer  " + RelayBed.token
            }
        }
    }

    /// Every route of the relay API, as (method, path, body, content type).
    static func routes(id: Int64) -> [(String, String, [UInt8]?, String?)] {
        let append = #"{"append":{"entry":{"kind":"forged","detail":{}}}}"#
        return [
            ("GET", "/relay/v1/ping", nil, nil),
            ("GET", "/relay/v1/events?core=evil&wait=0", nil, nil),
            ("POST", "/relay/v1/events/\(id)/ack?core=evil", [], nil),
            ("POST", "/relay/v1/events/\(id)/lease?core=evil", [], nil),
            ("POST", "/relay/v1/events/\(id)/release?core=core-a", [], nil),
            ("POST", "/relay/v1/store", Array(append.utf8), "application/json"),
        ]
    }

    @Test(arguments: BadAuth.allCases)
    func everyRouteRefusesAMissingOrWrongTokenAndNothingChanges(_ auth: BadAuth) async throws {
        try await RelayBed.run { relay in
            let stored = try await relay.storeDeliveries(1)
            let (held, _) = try await relay.events(core: "core-a")  // core-a holds it: a forged release must not free it
            #expect(held.events == stored)
            for (method, path, body, type) in Self.routes(id: stored[0].id) {
                let reply = try await relay.send(method, path, body: body, contentType: type, auth: auth.header, timeout: .seconds(10))
                #expect(reply.status == 401, "\(method) \(path) with \(auth): \(reply.status)")
                #expect(reply.header("WWW-Authenticate") == "Bearer")
                #expect(!reply.text.contains(RelayBed.token))
            }
            // Nothing was acked, released, extended or written.
            #expect(try await relay.store.pendingDeliveries() == stored)
            #expect(try await relay.store.auditRecords().isEmpty)
            #expect(try await relay.events(core: "core-b").batch.events.isEmpty)
            #expect(try await relay.post("/relay/v1/events/\(stored[0].id)/lease?core=core-a").status == 200)
        }
    }

    @Test func theBearerSchemeIsCaseInsensitiveAndPingAnswers() async throws {
        try await RelayBed.run { relay in
            let ping = try await relay.get("/relay/v1/ping")
            #expect(ping.status == 200 && ping.text.contains("pong"))
            #expect(try await relay.get("/relay/v1/ping", auth: "bearer " + RelayBed.token).status == 200)
            #expect(await relay.connection("core-a").ping())
            #expect(await relay.connection("core-a", via: relay.baseURL + "/").ping())
        }
    }

    @Test(arguments: [
        "wait=abc", "wait=-1", "wait=1000", "wait=61", "wait=nan", "wait=inf", "wait=", "limit=0", "limit=101", "limit=-5", "limit=abc",
        "limit=1.5", "after=-3", "after=abc", "after=1e3",
    ])
    func malformedLongPollQueriesAre400(_ bad: String) async throws {
        try await RelayBed.run { relay in
            let stored = try await relay.storeDeliveries(1)
            let started = ContinuousClock.now
            let reply = try await relay.get("/relay/v1/events?core=core-a&" + bad)
            #expect(reply.status == 400, "\(bad): \(reply.status) \(reply.text)")
            #expect(ContinuousClock.now - started < .seconds(5))  // parked, it would wait up to 60 s
            // Nothing was leased by the refused call.
            #expect(try await relay.events(core: "core-b").batch.events == stored)
        }
    }

    @Test(arguments: ["", "core=", "core=has%20space", "core=tab%09", "core=" + String(repeating: "c", count: 129), "wait=1"])
    func aMissingOrUnprintableCoreNameIs400(_ query: String) async throws {
        try await RelayBed.run { relay in
            let stored = try await relay.storeDeliveries(1)
            let reply = try await relay.get("/relay/v1/events?" + query)
            #expect(reply.status == 400, "\(query): \(reply.status)")
            #expect(try await relay.events(core: "core-b").batch.events == stored)
            // The longest allowed name works.
            let (batch, _) = try await relay.events(core: String(repeating: "c", count: 128), after: 0)
            #expect(batch.events.isEmpty)
        }
    }

    @Test func eventCallsAnswerByStatus() async throws {
        try await RelayBed.run { relay in
            let stored = try await relay.storeDeliveries(2)
            let id = stored[0].id
            #expect(try await relay.events(core: "core-a", limit: 1).batch.events.map(\.id) == [id])
            // Unknown and malformed ids.
            #expect(try await relay.post("/relay/v1/events/987654/ack?core=core-a").status == 404)
            #expect(try await relay.post("/relay/v1/events/abc/ack?core=core-a").status == 400)
            #expect(try await relay.post("/relay/v1/events/0/ack?core=core-a").status == 400)
            #expect(try await relay.post("/relay/v1/events/-1/ack?core=core-a").status == 400)
            #expect(try await relay.post("/relay/v1/events/99999999999999999999/ack?core=core-a").status == 400)
            #expect(try await relay.post("/relay/v1/events/\(id)/explode?core=core-a").status == 404)
            // Renewal: only by the holder; an unknown id or another core is 409, a missing core 400.
            #expect(try await relay.post("/relay/v1/events/\(id)/lease?core=core-b").status == 409)
            #expect(try await relay.post("/relay/v1/events/\(stored[1].id)/lease?core=core-a").status == 409)  // never leased
            #expect(try await relay.post("/relay/v1/events/987654/lease?core=core-a").status == 409)
            #expect(try await relay.post("/relay/v1/events/\(id)/lease").status == 400)
            #expect(try await relay.post("/relay/v1/events/\(id)/release").status == 400)
            #expect(try await relay.post("/relay/v1/events/\(id)/release?core=has%20space").status == 400)
            // A release by a core that does not hold it frees nothing.
            _ = try await relay.post("/relay/v1/events/\(id)/release?core=core-b")
            #expect(try await relay.events(core: "core-c", after: 0, limit: 1).batch.events.map(\.id) == [stored[1].id])
            #expect(try await relay.post("/relay/v1/events/\(id)/lease?core=core-a").status == 200)
            // Wrong methods on fixed paths are 405.
            #expect(try await relay.post("/relay/v1/events?core=core-a").status == 405)
            #expect(try await relay.get("/relay/v1/store").status == 405)
            // Ack: 200 (twice too), and the delivery is done.
            #expect(try await relay.post("/relay/v1/events/\(id)/ack?core=core-a").status == 200)
            #expect(try await relay.post("/relay/v1/events/\(id)/ack?core=core-a").status == 200)
            #expect(try await relay.post("/relay/v1/events/\(id)/lease?core=core-a").status == 409)
            #expect(try await relay.store.pendingDeliveries().map(\.id) == [stored[1].id])
        }
    }

    @Test func storeCallsAreCheckedBeforeAnythingIsDone() async throws {
        try await RelayBed.run { relay in
            let append = Array(#"{"append":{"entry":{"kind":"probe","detail":{}}}}"#.utf8)
            #expect(try await relay.post("/relay/v1/store", body: append, contentType: "text/plain").status == 415)
            #expect(try await relay.post("/relay/v1/store", body: append, contentType: nil).status == 415)
            #expect(try await relay.post("/relay/v1/store", body: append, contentType: "application/x-www-form-urlencoded").status == 415)
            for broken in ["", "{", "null", "[]", #"{"append":{}}"#, #"{"dropTables":{}}"#, #"{"claimExecution":{"key":1,"claimant":"x"}}"#, "\u{FF}"] {
                let reply = try await relay.post("/relay/v1/store", body: Array(broken.utf8), contentType: "application/json")
                #expect(reply.status == 400, "\(broken): \(reply.status)")
            }
            // Over 4 MiB: 413, and nothing is written.
            let huge = #"{"append":{"entry":{"kind":"huge","detail":{"x":""# + String(repeating: "a", count: 4 << 20) + #""}}}}"#
            let tooLarge = try await relay.post("/relay/v1/store", body: Array(huge.utf8), contentType: "application/json")
            #expect(tooLarge.status == 413)
            #expect(try await relay.store.auditRecords().isEmpty)

            // A large but legal call (well above the Slack routes' 64 KiB) is carried out.
            let large = #"{"append":{"entry":{"kind":"large","detail":{"x":""# + String(repeating: "b", count: 300_000) + #""}}}}"#
            let accepted = try await relay.post("/relay/v1/store", body: Array(large.utf8), contentType: "application/json; charset=utf-8")
            #expect(accepted.status == 200, "\(accepted.status) \(accepted.text.prefix(200))")
            #expect(accepted.header("Content-Type") == "application/json")
            #expect(try await relay.store.auditRecords().map(\.kind) == ["large"])
            #expect(try await relay.store.verifyAudit() == .intact(records: 1))

            // After all that the relay still serves the long-poll.
            let stored = try await relay.storeDeliveries(1)
            #expect(try await relay.events(core: "core-a", wait: 5).batch.events == stored)
        }
    }

    @Test func theSlackRoutesBehindTheRelayRefuseBadBodiesAndStoreNothing() async throws {
        try await RelayBed.run { relay in
            let h = relay.harness
            let huge = h.commandForm(user: "U01ALICE", text: String(repeating: "a", count: 70_000), id: "huge")
            #expect(try await h.post(huge).status == .contentTooLarge)
            #expect(try await h.post(#"{"text":"scale api-gateway 10"}"#, contentType: "application/json").status == .unsupportedMediaType)
            #expect(try await h.post("text=%zz&user_id=%").status == .badRequest)
            #expect(try await h.post("garbage").status == .badRequest)
            #expect(try await h.post(h.commandForm(user: "U01ALICE", text: "help", id: "forged"), secret: "wrong").status == .unauthorized)
            #expect(try await relay.store.pendingDeliveries().isEmpty)
            #expect(try await relay.store.auditRecords().isEmpty)
            #expect(try await relay.events(core: "core-a").batch.events.isEmpty)

            // A good one is stored (with its audit record) and handed to a core.
            let ack = try await h.post(h.commandForm(user: "U01ALICE", text: "help", id: "good"))
            #expect(ack.status == .ok)
            #expect(ack.text.contains("Working on"))
            let (batch, _) = try await relay.events(core: "core-a", wait: 5)
            #expect(batch.events.map(\.idempotencyKey) == ["slack.trigger:trigger.good"])
            #expect(batch.events.first?.kind == "slack.command")
            #expect(try await relay.store.auditRecords().map(\.kind) == ["command"])
        }
    }

    @Test func withoutARelayTokenThereIsNoRelayAPI() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-relay-off-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await HybridStore.open(path: directory.appendingPathComponent("off.sqlite").path)
        let deps = ListenerDependencies(signingSecret: Harness.secret, slashCommand: "/hybrid", store: store, queue: nil)
        let app = Application(router: buildRouter(deps), logger: RelayBed.quiet)
        do {
            try await app.test(.router) { client in
                var headers = HTTPFields()
                headers[.authorization] = "Bearer " + RelayBed.token
                let ping = try await client.execute(uri: "/relay/v1/ping", method: .get, headers: headers)
                #expect(ping.status != .ok)
                let events = try await client.execute(uri: "/relay/v1/events?core=a", method: .get, headers: headers)
                #expect(events.status != .ok)
            }
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
