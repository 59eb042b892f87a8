import Foundation
import HTTPDriver
import Logging
import Store
import Synchronization

/// A core's connection to its relay: Bearer-authenticated JSON calls over libcurl, outbound only.
///
/// Calls that are safe to repeat (reads, acks, lease extensions, claims carrying their claimant token) are retried
/// with back-off while the relay is briefly unreachable; an audit append or a new approval is retried only when the
/// request provably never reached the relay (connection refused), so a lost answer never writes a record twice.
package struct RelayConnection: Sendable {
    package let baseURL: String
    package let core: String
    /// This process' poll session: a stop ends its parked long-poll at the relay (see `stopPolling`).
    package let session = UUID().uuidString
    private let token: String
    private let http: HTTPClient
    /// Long-polls wait here, so a 25 s wait never holds a thread the store calls need.
    private let pollHTTP: HTTPClient
    private let logger: Logger
    /// The relay's store, learned from its first answer and sent with every call after: a relay that keeps another
    /// store (a second relay behind a load balancer) refuses the call instead of splitting claims across two stores.
    private let store = StoreIdentity()
    private let leaseLength = SharedLease()

    package init(baseURL: String, token: String, core: String, http: HTTPClient, pollHTTP: HTTPClient, logger: Logger) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.core = core
        self.http = http
        self.pollHTTP = pollHTTP
        self.logger = logger
    }

    // MARK: store API

    package func call<Value: Codable & Sendable>(_ call: StoreCall, as: Value.Type = Value.self) async throws -> Value {
        let body = try JSONEncoder().encode(call)
        let response = try await send(
            HTTPRequest(method: "POST", url: baseURL + "/relay/v1/store", headers: headers(json: true), body: Array(body), timeout: .seconds(15)),
            retrySafe: call.isRetrySafe)
        return try decode(StoreReply<Value>.self, response).value
    }

    // MARK: inbox API

    package struct Batch: Decodable, Sendable {
        package let events: [StoredDelivery]
        package let leaseMillis: Int64?  // (the answer's `cursor` is for cores that keep one; this one does not)
    }

    /// The relay's lease length, as its last long-poll answer said.
    package var relayLease: Duration? { leaseLength.current }

    /// `GET /relay/v1/events`: leased deliveries, or none after `wait`.
    package func events(after: Int64?, wait: Duration, limit: Int) async throws -> Batch {
        let waitSeconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
        var query = "core=\(Self.queryEscaped(core))&session=\(session)&limit=\(limit)&wait=\(String(format: "%.3f", waitSeconds))"
        if let after { query += "&after=\(after)" }
        let request = HTTPRequest(
            method: "GET", url: baseURL + "/relay/v1/events?" + query, headers: headers(json: false), timeout: wait + .seconds(10))
        let response = try await send(request, retrySafe: false, client: pollHTTP)
        let batch = try decode(Batch.self, response)
        if let millis = batch.leaseMillis, millis > 0 { leaseLength.set(.milliseconds(millis)) }
        return batch
    }

    /// `POST /relay/v1/events/ID/ack`: false when the relay does not know the delivery.
    package func ack(id: Int64) async throws -> Bool {
        try await eventCall(id: id, verb: "ack", accept: [200, 404]) == 200
    }

    /// `POST /relay/v1/events/ID/lease`: false when the lease is no longer this core's.
    package func extendLease(id: Int64, lease: Duration) async throws -> Bool {
        try await eventCall(id: id, verb: "lease", accept: [200, 409]) == 200
    }

    package func release(id: Int64) async throws {
        _ = try await eventCall(id: id, verb: "release", accept: [200, 409])
    }

    /// `POST /relay/v1/sessions/ID/stop`: this core is stopping; the relay answers its parked long-poll empty.
    package func stopPolling() async {
        let request = HTTPRequest(
            method: "POST", url: baseURL + "/relay/v1/sessions/\(session)/stop", headers: headers(json: false), timeout: .seconds(3))
        _ = try? await http.execute(request)
    }

    /// `GET /relay/v1/ping`: the relay answers and accepts our token (the core's `/readyz`).
    package func ping() async -> Bool {
        let request = HTTPRequest(method: "GET", url: baseURL + "/relay/v1/ping", headers: headers(json: false), timeout: .seconds(3))
        return (try? await http.execute(request).status) == 200
    }

    // MARK: plumbing

    private func eventCall(id: Int64, verb: String, accept: Set<Int>) async throws -> Int {
        let request = HTTPRequest(
            method: "POST", url: baseURL + "/relay/v1/events/\(id)/\(verb)?core=\(Self.queryEscaped(core))",
            headers: headers(json: false), timeout: .seconds(10))
        let response = try await send(request, retrySafe: true, accept: accept)
        return response.status
    }

    private func headers(json: Bool) -> [(String, String)] {
        var headers = [("Authorization", "Bearer " + token), ("Accept", "application/json")]
        if let id = store.id { headers.append(("X-Hybridbot-Store", id)) }
        if json { headers.append(("Content-Type", "application/json")) }
        return headers
    }

    private func send(
        _ request: HTTPRequest, retrySafe: Bool, accept: Set<Int> = [200], client: HTTPClient? = nil
    ) async throws -> HTTPResponse {
        let delays: [Duration] = [.milliseconds(200), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4)]
        var attempt = 0
        while true {
            do {
                let response = try await (client ?? http).execute(request)
                if let id = response.header("X-Hybridbot-Store"), !store.learn(id) {
                    throw RelayError.otherStore
                }
                if accept.contains(response.status) { return response }
                let error = RelayError.status(response.status, Self.message(response))
                // 5xx: the relay could not decide (its disk, its database); a repeatable call may try again.
                guard retrySafe, response.status >= 500, attempt < delays.count else { throw error }
            } catch let error as HTTPClientError {
                // Only what a moment can cure: TLS, URL, size and shutdown failures are answered at once.
                let transient = !(error.isTLS || error.isTooLarge || error.isInvalidURL || error.isInvalidRequest || error.isShutDown)
                let neverSent = error.isCouldNotConnect
                guard transient, retrySafe || neverSent, attempt < delays.count else { throw RelayError.unreachable(error.description) }
            }
            logger.debug("relay call failed, retrying", metadata: ["relay.attempt": "\(attempt + 1)"])
            try await Task.sleep(for: delays[attempt])
            attempt += 1
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw RelayError.malformed("\(T.self): \(error)")
        }
    }

    private static func message(_ response: HTTPResponse) -> String {
        String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func queryEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}

/// A failed relay call; descriptions never contain the token (it only travels in a header).
package enum RelayError: Error, CustomStringConvertible, Sendable {
    case status(Int, String)
    case unreachable(String)
    case malformed(String)
    case conflict(String)
    case otherStore

    package var description: String {
        switch self {
        case .status(let status, let message): "the relay answered \(status): \(message)"
        case .unreachable(let detail): "the relay is unreachable: \(detail)"
        case .malformed(let detail): "the relay's answer is not understood (\(detail))"
        case .conflict(let what): "\(what) kept changing under us; giving up after several tries"
        case .otherStore:
            "the relay answering keeps a different store than the one this core started with: point --relay at one relay, not at a load balancer over several"
        }
    }
}

/// The store id a core works with (see `RelayConnection.store`).
private final class StoreIdentity: Sendable {
    private let value = Mutex<String?>(nil)

    var id: String? { value.withLock { $0 } }

    /// Remembers the first id seen; false when `id` is not that one.
    func learn(_ id: String) -> Bool {
        value.withLock { known in
            if let known { return known == id }
            known = id
            return true
        }
    }
}

/// The relay's lease length shared by copies of a connection.
private final class SharedLease: Sendable {
    private let value = Mutex<Duration?>(nil)
    var current: Duration? { value.withLock { $0 } }
    func set(_ lease: Duration) { value.withLock { $0 = lease } }
}
