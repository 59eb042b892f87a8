/// The Redis keys of one inbox, all under one prefix so several bots (or a test) can share a database.
///
/// For Redis Cluster the prefix must be a hash tag (e.g. `{hybridbot:inbox}`): every script touches several of these
/// keys at once, and a script may only touch keys of one slot.
struct RedisInboxKeys: Sendable {
    let prefix: String

    /// The stream: one entry per delivery, entry id `<delivery id>-1`.
    var stream: String { "\(prefix):stream" }
    /// The last delivery id handed out (`INCR`).
    var sequence: String { "\(prefix):seq" }
    /// Sorted set of acked delivery ids, scored by the ack time (ms), pruned after the done retention.
    var done: String { "\(prefix):done" }

    /// Idempotency key → delivery id, with an expiry (the dedupe window).
    func dedupe(_ idempotencyKey: String) -> String { "\(prefix):key:\(idempotencyKey)" }

    /// The consumer group every core reads through.
    static let group = "cores"
    /// The consumer a released delivery is parked on (already expired) until any owner's next lease takes it.
    /// No owner may use this name.
    static let releasedConsumer = "hybridbot:released"
}

/// Delivery id ⇄ stream entry id: delivery `n` is entry `n-1`, so ids come straight from the stream.
enum RedisEntryID {
    static func make(_ id: Int64) -> String { "\(id)-1" }

    /// The delivery id of an entry id `n-1`; nil for anything else (an entry this inbox did not write).
    static func parse(_ entryID: String) -> Int64? {
        let parts = entryID.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1] == "1", let id = Int64(parts[0]), id > 0 else { return nil }
        return id
    }
}
