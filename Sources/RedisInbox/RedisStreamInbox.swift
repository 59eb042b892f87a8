import Foundation
import RedisDriver
import Store
import Synchronization

/// The scale-out inbox (`HYBRIDBOT_INBOX=redis://host:port/db`): a Redis Stream with one consumer group, `cores`,
/// shared by every relay (which store) and every core (which lease and ack).
///
/// Keys (under ``Configuration/prefix``): `<prefix>:stream` (entry `<id>-1` per delivery), `<prefix>:seq` (the last
/// id), `<prefix>:key:<idempotency key>` (dedupe, expires after ``Configuration/dedupeRetention``) and `<prefix>:done`
/// (acked ids, forgotten after ``Configuration/doneRetention``). Every decision is one Lua script (see
/// ``RedisInboxScripts``, which also explains how lease deadlines are kept in the pending entries' idle times).
///
/// ## Durability
/// `store` returns once Redis answered, and Redis answers before its data is on disk unless it runs with
/// `appendonly yes` and `appendfsync always` (with `everysec`, a crash of the Redis host can lose the last second of
/// acknowledged deliveries — Slack and PagerDuty will not resend them). It must also run with
/// `maxmemory-policy noeviction` (an evicted dedupe key runs a command twice, an evicted stream loses the inbox).
/// With replicas, a failover can lose writes the old primary acknowledged; this inbox does not `WAIT` for replicas.
/// ``durabilityWarning()`` checks the first three settings.
///
/// ## The `after` cursor
/// Ignored: a consumer group has one cursor of its own (the last delivered entry), shared by every core, so
/// never-leased deliveries are handed out in id order whatever cursor a core sends.
///
/// Every Redis command goes through `RedisClient`, which runs hiredis on dedicated threads, never on the cooperative
/// pool; blocking waits use connections of their own (``RedisWaiters``).
package final class RedisStreamInbox: DeliveryInbox {
    package struct Configuration: Sendable {
        /// Prefix of every key (a hash tag such as `{hybridbot:inbox}` for Redis Cluster).
        package var prefix = "hybridbot:inbox"
        /// How long a redelivery is still recognized (PagerDuty retries for 48 h).
        package var dedupeRetention: Duration = .seconds(7 * 24 * 3600)
        /// How long an acked id still answers `.done` to `ack` (after that, `.unknown`).
        package var doneRetention: Duration = .seconds(7 * 24 * 3600)
        /// Connect and per-command timeout of the shared connection.
        package var timeout: Duration = .seconds(5)
        /// The longest single `XREAD … BLOCK`; longer lease waits block several times.
        package var maxBlock: Duration = .seconds(10)

        package init() {}
    }

    package let url: RedisURL
    let configuration: Configuration
    let keys: RedisInboxKeys
    let client: RedisClient
    let waiters: RedisWaiters
    private let auditStore: HybridStore?
    private let clock: @Sendable () -> Date
    /// Whether the consumer group is known to exist (created at first use, again after a `NOGROUP`).
    private let groupReady = Mutex(false)

    /// `auditStore` receives the audit record `store` is given; without one, a `store` with an audit record fails
    /// (an audit record is never dropped silently).
    package init(url: RedisURL, configuration: Configuration = Configuration(), auditStore: HybridStore? = nil,
                 clock: @escaping @Sendable () -> Date = { Date() }) {
        self.url = url
        self.configuration = configuration
        self.keys = RedisInboxKeys(prefix: configuration.prefix)
        self.client = RedisClient(url: url, timeout: configuration.timeout)
        self.waiters = RedisWaiters(url: url, maxBlock: configuration.maxBlock, connectTimeout: configuration.timeout)
        self.auditStore = auditStore
        self.clock = clock
    }

    var hasAuditStore: Bool { auditStore != nil }

    /// Appends to the audit store (callers check ``hasAuditStore`` first).
    func appendAudit(_ entry: AuditEntry) async throws -> AuditRecord? {
        try await auditStore?.append(entry)
    }

    /// Closes the shared connection and the idle wait connections.
    package func close() async {
        await client.close()
        await waiters.close()
    }

    // MARK: - Running scripts

    /// Runs a script, creating the consumer group first if needed. A `NOGROUP` (the stream was deleted, e.g. by a
    /// `FLUSHDB`) re-creates the group from the start of the stream and runs the script once more.
    func eval(_ script: String, keys: [String], arguments: [String], operation: String) async throws -> RedisReply {
        try await ensureGroup(operation: operation)
        var reply = try await rawEval(script, keys: keys, arguments: arguments, operation: operation)
        if case .error(let message) = reply, message.contains("NOGROUP") {
            groupReady.withLock { $0 = false }
            try await ensureGroup(operation: operation)
            reply = try await rawEval(script, keys: keys, arguments: arguments, operation: operation)
        }
        if case .error(let message) = reply { throw RedisInboxError.server(operation, url, message) }
        return reply
    }

    private func rawEval(_ script: String, keys: [String], arguments: [String], operation: String) async throws
        -> RedisReply {
        do {
            return try await client.command(["EVAL", script, String(keys.count)] + keys + arguments)
        } catch {
            throw RedisInboxError.redis(operation, url, error)
        }
    }

    /// `XGROUP CREATE <stream> cores 0 MKSTREAM`: from id 0, so deliveries stored before the group existed are
    /// handed out too. `BUSYGROUP` (another process was first) is success.
    private func ensureGroup(operation: String) async throws {
        guard !groupReady.withLock({ $0 }) else { return }
        let reply: RedisReply
        do {
            reply = try await client.command(["XGROUP", "CREATE", keys.stream, RedisInboxKeys.group, "0", "MKSTREAM"])
        } catch {
            throw RedisInboxError.redis(operation, url, error)
        }
        if case .error(let message) = reply, !message.hasPrefix("BUSYGROUP") {
            throw RedisInboxError.server("\(operation) (creating the consumer group)", url, message)
        }
        groupReady.withLock { $0 = true }
    }

    // MARK: - DeliveryInbox

    /// Stores the delivery once per idempotency key (see ``RedisInboxScripts/store``).
    ///
    /// The audit record (with `detail["delivery_key"]`) is appended *before* the Redis script: the audit lives in
    /// SQLite and the delivery in Redis, so no transaction spans both, and this order means a delivery that was
    /// acked to Slack always has its audit record. A crash in between leaves at worst an audit record of a delivery
    /// never acked (Slack retries it, and that retry writes a second record). A plain `GET` first answers ordinary
    /// redeliveries as `.duplicate` without an audit record; only two copies racing through different relays at
    /// the same moment can both write one (the script still stores the delivery once).
    package func store(kind: String, key: String, payload: String, audit: AuditEntry?) async throws
        -> DeliveryStoreResult {
        let dedupeKey = keys.dedupe(key)
        if let existing = try await existingDelivery(dedupeKey) { return .duplicate(id: existing) }
        if var audit {
            guard let auditStore else {
                throw RedisInboxError.invalid("a delivery came with an audit record but the inbox has no audit store")
            }
            audit.detail["delivery_key"] = .string(key)
            try await auditStore.append(audit)
        }
        let receivedAt = Timestamp.rfc3339(clock())
        let ttl = max(1, configuration.dedupeRetention.milliseconds / 1000)
        let reply = try await eval(
            RedisInboxScripts.store, keys: [dedupeKey, keys.sequence, keys.stream],
            arguments: [kind, key, payload, receivedAt, String(ttl)], operation: "store the delivery")
        guard let parts = reply.array, parts.count == 2, let outcome = parts[0].int,
              let id = parts[1].int.map(Int64.init) ?? parts[1].string.flatMap({ Int64($0) }), id > 0 else {
            throw RedisInboxError.unexpected("store the delivery", url, "the store script answered an unexpected reply")
        }
        if outcome == 0 { return .duplicate(id: id) }
        return .stored(StoredDelivery(id: id, kind: kind, idempotencyKey: key, payload: payload, receivedAt: receivedAt))
    }

    /// The id a dedupe key points at, nil when the key is new.
    private func existingDelivery(_ dedupeKey: String) async throws -> Int64? {
        let reply: RedisReply
        do {
            reply = try await client.checkedCommand(["GET", dedupeKey])
        } catch {
            throw RedisInboxError.redis("store the delivery", url, error)
        }
        if reply.isNull { return nil }
        guard let text = reply.string, let id = Int64(text), id > 0 else {
            throw RedisInboxError.unexpected("store the delivery", url, "the dedupe key \(dedupeKey) holds no delivery id")
        }
        return id
    }

    /// True and a fresh deadline (now + `lease`) when `owner` holds the delivery in the group's pending list — also
    /// when its lease ran out but nobody has taken it yet. False when it was released, acked, is someone else's,
    /// or unknown.
    package func extendLease(id: Int64, owner: String, lease: Duration) async throws -> Bool {
        try Self.checkOwner(owner)
        guard id > 0 else { return false }
        let reply = try await eval(
            RedisInboxScripts.reassign, keys: [keys.stream],
            arguments: [RedisInboxKeys.group, owner, RedisEntryID.make(id), owner, String(Self.idleFor(lease: lease))],
            operation: "extend the lease of delivery \(id)")
        return reply.int == 1
    }

    /// Moves the delivery, if `owner` holds it, to the reserved consumer with an already expired lease, so the next
    /// `lease` of any owner takes it. A delivery `owner` does not hold is left alone.
    package func release(id: Int64, owner: String) async throws {
        try Self.checkOwner(owner)
        guard id > 0 else { return }
        let expired = RedisInboxScripts.expiredAfterIdle.milliseconds
        _ = try await eval(
            RedisInboxScripts.reassign, keys: [keys.stream],
            arguments: [RedisInboxKeys.group, owner, RedisEntryID.make(id), RedisInboxKeys.releasedConsumer, String(expired)],
            operation: "release delivery \(id)")
    }

    /// `XACK` + `XDEL` + recorded as done, atomically (see ``RedisInboxScripts/ack``). `.done` again for an id acked
    /// within ``Configuration/doneRetention``; `.unknown` for an id never stored (or acked longer ago than that).
    package func ack(id: Int64) async throws -> DeliveryAckResult {
        guard id > 0 else { return .unknown }
        let reply = try await eval(
            RedisInboxScripts.ack, keys: [keys.stream, keys.done],
            arguments: [RedisInboxKeys.group, String(id), String(configuration.doneRetention.milliseconds)],
            operation: "ack delivery \(id)")
        return reply.int == 1 ? .done : .unknown
    }

    // MARK: - Helpers

    /// The idle time that makes an entry expire `lease` from now (see ``RedisInboxScripts``); leases are clamped to
    /// 1 ms…30 days.
    static func idleFor(lease: Duration) -> Int64 {
        let threshold = RedisInboxScripts.expiredAfterIdle.milliseconds
        return threshold - min(threshold, max(1, lease.milliseconds))
    }

    static func checkOwner(_ owner: String) throws {
        guard !owner.isEmpty else { throw RedisInboxError.invalid("the lease owner is empty") }
        guard owner != RedisInboxKeys.releasedConsumer else {
            throw RedisInboxError.invalid("\"\(owner)\" is reserved for released deliveries and cannot own leases")
        }
    }
}
