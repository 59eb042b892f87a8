/// Where verified deliveries wait for a core: the relay stores into it, cores lease from it and ack.
///
/// Two implementations: `SQLiteInbox` (the default, in the relay's or `serve`'s `HYBRIDBOT_DB`) and
/// `RedisStreamInbox` (`HYBRIDBOT_INBOX=redis://…`, a Redis Stream with a consumer group, shared by several relays).
///
/// Delivery ids are positive, increasing `Int64`s in both. A lease makes a delivery invisible to every other owner
/// until it is acked, released, or its lease runs out; then it is handed out again, whatever cursor a core sends.
package protocol DeliveryInbox: Sendable {
    /// Stores a delivery exactly once per idempotency key (a redelivery answers `.duplicate`), with its audit record
    /// when given. Returns only after the delivery is durable.
    func store(kind: String, key: String, payload: String, audit: AuditEntry?) async throws -> DeliveryStoreResult

    /// Leases up to `limit` deliveries to `owner` for `lease`. Deliveries whose lease ran out come first (whatever
    /// `after` says), then never-leased ones with an id above `after` (nil: from the start). When none is available it
    /// waits — woken by a new delivery, never by polling in a loop — for at most `wait`, then returns `[]`.
    func lease(owner: String, after: Int64?, limit: Int, lease: Duration, wait: Duration) async throws -> [StoredDelivery]

    /// Extends the lease of a delivery `owner` still holds. False when it is not theirs any more (expired and handed
    /// to someone else, acked, or unknown).
    func extendLease(id: Int64, owner: String, lease: Duration) async throws -> Bool

    /// Gives a leased delivery back at once (graceful stop of a core): the next `lease` call hands it out again.
    func release(id: Int64, owner: String) async throws

    /// Marks a delivery done. `.unknown` when no such delivery exists; acking twice is `.done` both times.
    func ack(id: Int64) async throws -> DeliveryAckResult

    /// How often a holder renews a lease it asked to last `lease` (the relay may have its own length).
    func renewalInterval(for lease: Duration) -> Duration

    /// Ends this owner's waiting `lease` calls now, returning what they hold (a core stopping): nothing is leased
    /// to a poll nobody will read any more.
    func interruptWaits(owner: String) async
}

extension DeliveryInbox {
    package func renewalInterval(for lease: Duration) -> Duration { lease / 3 }
    package func interruptWaits(owner: String) async {}
}

package enum DeliveryAckResult: Sendable, Equatable {
    case done
    case unknown
}
