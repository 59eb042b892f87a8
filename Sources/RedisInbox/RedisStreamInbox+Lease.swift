import RedisDriver
import Store

extension RedisStreamInbox {
    /// The most deliveries one lease hands out (the lease script builds one `XCLAIM` with every id).
    static let maxLeaseLimit = 1_000

    /// Leases up to `limit` deliveries to `owner` for `lease`: expired ones first (whoever held them), then
    /// never-leased ones in id order. `after` is ignored (the consumer group keeps the cursor, see the type's doc).
    ///
    /// When none is available it blocks on `XREAD … BLOCK` after the stream's last entry, on a connection of its own:
    /// a new delivery wakes it at once, and it tries again (another core may have been quicker), until `wait` is up.
    /// A lease that runs out during the wait does not wake it; the next call takes that delivery.
    package func lease(owner: String, after: Int64?, limit: Int, lease: Duration, wait: Duration) async throws
        -> [StoredDelivery] {
        try Self.checkOwner(owner)
        guard limit > 0 else { return [] }
        let deadline = ContinuousClock.now + wait
        while true {
            let attempt = try await leaseOnce(owner: owner, limit: min(limit, Self.maxLeaseLimit), lease: lease)
            if !attempt.deliveries.isEmpty { return attempt.deliveries }
            let remaining = ContinuousClock.now.duration(to: deadline)
            // BLOCK 0 would mean forever: stop once less than a millisecond is left.
            guard remaining >= .milliseconds(1), !Task.isCancelled else { return [] }
            try await waitForEntry(after: attempt.lastEntryID, upTo: min(remaining, waiters.maxBlock))
        }
    }

    /// One run of the lease script: the deliveries now leased, or none and the entry id to wait after.
    private func leaseOnce(owner: String, limit: Int, lease: Duration) async throws
        -> (deliveries: [StoredDelivery], lastEntryID: String) {
        let operation = "lease deliveries"
        let reply = try await eval(
            RedisInboxScripts.lease, keys: [keys.stream, keys.done],
            arguments: [
                RedisInboxKeys.group, owner, String(limit),
                String(RedisInboxScripts.expiredAfterIdle.milliseconds), String(Self.idleFor(lease: lease)),
                // Dead letters need somewhere to be audited; an inbox without an audit store hands out forever.
                String(hasAuditStore ? HybridStore.maxDeliveryAttempts : 0),
            ],
            operation: operation)
        guard let parts = reply.array, parts.count == 3, let lastEntryID = parts[0].string,
              let entries = parts[1].array, let dead = parts[2].array else {
            throw RedisInboxError.unexpected(operation, url, "the lease script answered an unexpected reply")
        }
        for entry in dead {
            try await auditDeadLetter(entry, operation: operation)
        }
        let deliveries = try entries.map { entry in
            guard let delivery = Self.delivery(from: entry) else {
                // Leased already: it comes back after the lease, so this error repeats until the entry is removed.
                throw RedisInboxError.unexpected(
                    operation, url, "\(keys.stream) holds an entry this inbox did not write (is the prefix shared?)")
            }
            return delivery
        }
        return (deliveries, lastEntryID)
    }

    /// The `dead_letter` record of an entry the lease script set aside (same fields as the SQLite inbox's). It is out
    /// of the stream already: if the record cannot be written, the lease fails naming the delivery, so the relay's
    /// log says what was set aside (the entries leased in the same call come back after their lease).
    private func auditDeadLetter(_ entry: RedisReply, operation: String) async throws {
        guard let parts = entry.array, parts.count == 3, let attempts = parts[2].int,
              let delivery = Self.delivery(from: .array(Array(parts[0..<2]))) else {
            throw RedisInboxError.unexpected(operation, url, "the lease script answered an unexpected dead letter")
        }
        let record = AuditEntry(
            kind: "dead_letter", outcome: "given_up",
            detail: ["delivery_id": .int(Int(delivery.id)), "delivery_kind": .string(delivery.kind),
                     "delivery_key": .string(delivery.idempotencyKey), "attempts": .int(attempts)])
        do {
            _ = try await appendAudit(record)
        } catch {
            throw RedisInboxError.unexpected(
                operation, url,
                "set aside delivery \(delivery.id) (\(delivery.idempotencyKey)) after \(attempts) unacked leases, "
                    + "but could not write its dead_letter audit record: \(error)")
        }
    }

    /// Blocks until an entry newer than `entryID` exists or `duration` passed. `XREAD` (not `XREADGROUP`) only looks:
    /// nothing is delivered outside the lease script, so a crash here leaves nothing leased.
    private func waitForEntry(after entryID: String, upTo duration: Duration) async throws {
        guard let waiter = waiters.take() else {
            throw RedisInboxError.invalid("too many long-polls waiting at once (\(waiters.maxWaiting)); try again shortly")
        }
        let milliseconds = max(1, duration.milliseconds)
        let reply: RedisReply
        do {
            reply = try await waiter.command([
                "XREAD", "COUNT", "1", "BLOCK", String(milliseconds), "STREAMS", keys.stream, entryID,
            ])
        } catch {
            waiters.discard()
            await waiter.close()
            throw RedisInboxError.redis("wait for deliveries", url, error)
        }
        await waiters.giveBack(waiter)
        if case .error(let message) = reply { throw RedisInboxError.server("wait for deliveries", url, message) }
    }

    /// A stream entry `{"<id>-1", {field, value, …}}` as written by the store script; nil for anything else.
    static func delivery(from entry: RedisReply) -> StoredDelivery? {
        guard let parts = entry.array, parts.count == 2, let entryID = parts[0].string,
              let id = RedisEntryID.parse(entryID), let flat = parts[1].array, flat.count % 2 == 0 else { return nil }
        var fields: [String: String] = [:]
        for index in stride(from: 0, to: flat.count, by: 2) {
            guard let name = flat[index].string, let value = flat[index + 1].string else { return nil }
            fields[name] = value
        }
        guard let kind = fields["kind"], let key = fields["key"], let payload = fields["payload"],
              let receivedAt = fields["received_at"] else { return nil }
        return StoredDelivery(id: id, kind: kind, idempotencyKey: key, payload: payload, receivedAt: receivedAt)
    }
}
