import Foundation
import Hummingbird
import Logging
import Metrics
import Store

/// The relay API for cores (contract: `/relay/v1/…`, Bearer relay token, checked by `RelayAuthMiddleware`):
///
/// - `GET /relay/v1/events?core=NAME&after=CURSOR&wait=SECONDS&limit=N` — leases deliveries to the core; returns at
///   once when some are free, else waits (woken by the next stored delivery) up to `wait` and returns an empty list;
/// - `POST /relay/v1/events/ID/ack` — done (404 for an unknown id); `…/lease` — renew (409 when the lease was lost);
///   `…/release` — give back now (graceful stop of a core);
/// - `POST /relay/v1/store` — one `StoreCall` (claims, approvals, audit, timers, incidents) decided here;
/// - `GET /relay/v1/ping` — the token works (a core's readiness).
package struct RelayController: Sendable {
    let inbox: any DeliveryInbox
    let store: HybridStore
    let lease: Duration
    let sessions: PollSessions
    /// Longest `wait` honoured: a long-poll must end before proxies and the core's own timeout give up.
    static let maxWait = 60
    static let maxLimit = 100
    static let maxStoreCallBytes = 4 << 20
    private let handOffs = Counter(label: "hybridbot_relay_deliveries_leased_total")

    package init(inbox: any DeliveryInbox, store: HybridStore, lease: Duration, sessions: PollSessions = PollSessions()) {
        self.sessions = sessions
        self.inbox = inbox
        self.store = store
        self.lease = lease
    }

    package func addRoutes(to group: RouterGroup<HybridRequestContext>) {
        group.get("/relay/v1/ping") { _, _ in SlackCommandController.plain(.ok, "pong") }
        group.get("/relay/v1/events", use: events)
        group.post("/relay/v1/events/{id}/{verb}", use: eventCall)
        group.post("/relay/v1/sessions/{session}/stop") { _, context in
            guard let session = CoreName.validated(context.parameters.get("session")) else { return Self.bad("bad session id") }
            sessions.stop(session)
            return SlackCommandController.plain(.ok, "stopped")
        }
        group.post("/relay/v1/store", use: storeCall)
    }

    @Sendable func events(_ request: Request, context: HybridRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let core = CoreName.validated(query.get("core")) else { return Self.bad("core= must be 1–128 printable characters") }
        var after: Int64?
        if let text = query.get("after"), !text.isEmpty {
            guard let value = Int64(text), value >= 0 else { return Self.bad("after= must be a delivery id (a whole number ≥ 0)") }
            after = value
        }
        var wait = 0.0
        if let text = query.get("wait") {
            guard let value = Double(text), value.isFinite, value >= 0, value <= Double(Self.maxWait) else {
                return Self.bad("wait= must be 0–\(Self.maxWait) seconds")
            }
            wait = value
        }
        var limit = 16
        if let text = query.get("limit") {
            guard let value = Int(text), (1...Self.maxLimit).contains(value) else { return Self.bad("limit= must be 1–\(Self.maxLimit)") }
            limit = value
        }
        var session: String?
        if let text = query.get("session") {
            guard let value = CoreName.validated(text) else { return Self.bad("session= must be 1–128 printable characters") }
            session = value
        }
        let leased: [StoredDelivery]
        do {
            leased = try await leaseUnlessStopped(
                owner: core, session: session, after: after, limit: limit, wait: .milliseconds(Int64(wait * 1000)))
        } catch {
            context.logger.error("could not lease deliveries", metadata: ["error": "\(error)"])
            return SlackCommandController.plain(.serviceUnavailable, "the relay could not read its inbox")
        }
        handOffs.increment(by: leased.count)
        return try Self.json(EventBatch(events: leased, cursor: leased.map(\.id).max() ?? after, leaseMillis: lease.milliseconds))
    }

    @Sendable func eventCall(_ request: Request, context: HybridRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }), id > 0 else { return Self.bad("the delivery id must be a positive whole number") }
        let verb = context.parameters.get("verb") ?? ""
        let core = CoreName.validated(request.uri.queryParameters.get("core"))
        do {
            switch verb {
            case "ack":
                switch try await inbox.ack(id: id) {
                case .done: return SlackCommandController.plain(.ok, "done")
                case .unknown: return SlackCommandController.plain(.notFound, "no delivery \(id)")
                }
            case "lease", "release":
                guard let core else { return Self.bad("core= must be 1–128 printable characters") }
                if verb == "release" {
                    try await inbox.release(id: id, owner: core)
                    return SlackCommandController.plain(.ok, "released")
                }
                return try await inbox.extendLease(id: id, owner: core, lease: lease)
                    ? SlackCommandController.plain(.ok, "extended")
                    : SlackCommandController.plain(.conflict, "delivery \(id) is not leased to \(core)")
            default:
                return SlackCommandController.plain(.notFound, "unknown relay call \(verb.prefix(40))")
            }
        } catch {
            context.logger.error("relay inbox call failed", metadata: ["relay.call": "\(verb.prefix(40))", "error": "\(error)"])
            return SlackCommandController.plain(.serviceUnavailable, "the relay could not update its inbox")
        }
    }

    @Sendable func storeCall(_ request: Request, context: HybridRequestContext) async throws -> Response {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false else {
            return SlackCommandController.plain(.unsupportedMediaType, "expected application/json")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxStoreCallBytes)
        } catch {
            return Response(status: .contentTooLarge)
        }
        let call: StoreCall
        do {
            call = try JSONDecoder().decode(StoreCall.self, from: Data(body.readableBytesView))
        } catch {
            return Self.bad("not a store call this relay understands")
        }
        do {
            let answer = try await store.perform(call)
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: answer)))
        } catch {
            context.logger.error("store call failed", metadata: ["error": "\(error)"])
            return SlackCommandController.plain(.serviceUnavailable, "the relay could not carry out the store call")
        }
    }

    /// A long-poll that ends early, empty, when its core says it is stopping or the relay stops; what was leased
    /// meanwhile goes back.
    func leaseUnlessStopped(owner: String, session: String?, after: Int64?, limit: Int, wait: Duration) async throws -> [StoredDelivery] {
        if sessions.isStopped(session) { return [] }
        let inbox = self.inbox, lease = self.lease, sessions = self.sessions
        return try await withThrowingTaskGroup(of: [StoredDelivery]?.self) { group in
            group.addTask { try await inbox.lease(owner: owner, after: after, limit: limit, lease: lease, wait: wait) }
            group.addTask {
                await sessions.waitForStop(session, timeout: wait + .seconds(1))
                return nil
            }
            while let next = try await group.next() {
                if let leased = next {
                    group.cancelAll()
                    guard sessions.isStopped(session) else { return leased }
                    for delivery in leased { try? await inbox.release(id: delivery.id, owner: owner) }
                    return []
                }
                if sessions.isStopped(session) {
                    group.cancelAll()
                    // The lease call ends on cancellation; anything it took before that goes back.
                    while let rest = try await group.next() {
                        for delivery in rest ?? [] { try? await inbox.release(id: delivery.id, owner: owner) }
                    }
                    return []
                }
            }
            return []
        }
    }

    struct EventBatch: Encodable {
        let events: [StoredDelivery]
        let cursor: Int64?
        /// The relay's lease length: cores renew at a third of it, whatever their own setting says.
        let leaseMillis: Int64
    }


    static func bad(_ message: String) -> Response { SlackCommandController.plain(.badRequest, message) }

    static func json(_ value: some Encodable) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }
}
