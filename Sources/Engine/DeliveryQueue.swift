import Store

/// Hands stored deliveries from the listener to the core inside one process (`serve`), with no HTTP hop.
package struct DeliveryQueue: Sendable {
    package let stream: AsyncStream<StoredDelivery>
    private let continuation: AsyncStream<StoredDelivery>.Continuation

    package init() {
        (stream, continuation) = AsyncStream.makeStream(of: StoredDelivery.self, bufferingPolicy: .unbounded)
    }

    package func enqueue(_ delivery: StoredDelivery) {
        continuation.yield(delivery)
    }

    /// No more deliveries will come: the core drains what is queued and stops.
    package func finish() {
        continuation.finish()
    }
}
