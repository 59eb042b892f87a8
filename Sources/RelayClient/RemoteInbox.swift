import Store

/// The relay's inbox as a core sees it: leases by long-poll, acks and lease changes by small calls. Storing is the
/// relay's job (it verified the webhook), so `store` is refused here.
package final class RemoteInbox: DeliveryInbox {
    private let relay: RelayConnection

    package init(relay: RelayConnection) {
        self.relay = relay
    }

    package func store(kind: String, key: String, payload: String, audit: AuditEntry?) async throws -> DeliveryStoreResult {
        throw RelayError.status(405, "a core does not store deliveries; the relay does")
    }

    package func lease(owner: String, after: Int64?, limit: Int, lease: Duration, wait: Duration) async throws -> [StoredDelivery] {
        try await relay.events(after: after, wait: wait, limit: limit).events
    }

    package func extendLease(id: Int64, owner: String, lease: Duration) async throws -> Bool {
        try await relay.extendLease(id: id, lease: lease)
    }

    package func release(id: Int64, owner: String) async throws {
        try await relay.release(id: id)
    }

    /// A third of the relay's lease (it decides lease lengths), or of ours until its first answer said.
    package func renewalInterval(for lease: Duration) -> Duration {
        (relay.relayLease ?? lease) / 3
    }

    package func interruptWaits(owner: String) async {
        await relay.stopPolling()
    }

    package func ack(id: Int64) async throws -> DeliveryAckResult {
        try await relay.ack(id: id) ? .done : .unknown
    }
}
