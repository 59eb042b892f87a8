import Engine
import Store

/// Where the webhook controllers put a verified delivery: the inbox (durable before the ack), and in `serve` also the
/// in-process queue of the core, so the hand-off needs no HTTP hop and no polling.
package struct DeliveryIntake: Sendable {
    let inbox: any DeliveryInbox
    let queue: DeliveryQueue?

    package init(inbox: any DeliveryInbox, queue: DeliveryQueue?) {
        self.inbox = inbox
        self.queue = queue
    }

    func store(kind: String, key: String, payload: String, audit: AuditEntry?) async throws -> DeliveryStoreResult {
        let result = try await inbox.store(kind: kind, key: key, payload: payload, audit: audit)
        if case .stored(let delivery) = result { queue?.enqueue(delivery) }
        return result
    }
}
