import Logging
import ServiceLifecycle
import Store

/// The long-lived core of `serve`: processes queued deliveries, several at a time, until shut down.
///
/// On graceful shutdown it stops taking new deliveries, lets the ones in flight finish, and returns;
/// anything still queued stays `pending` in SQLite and is picked up at the next start.
package struct CoreService: Service {
    private let processor: CommandProcessor
    private let queue: DeliveryQueue
    private let maxConcurrent: Int
    private let logger: Logger

    package init(processor: CommandProcessor, queue: DeliveryQueue, maxConcurrent: Int = 16, logger: Logger) {
        self.processor = processor
        self.queue = queue
        self.maxConcurrent = maxConcurrent
        self.logger = logger
    }

    /// Queues deliveries that were stored but never processed (the process stopped after acking them).
    /// Call before the listener starts so nothing is queued twice.
    package static func recoverPending(store: HybridStore, into queue: DeliveryQueue, logger: Logger) async throws -> Int {
        let pending = try await store.pendingDeliveries()
        for delivery in pending { queue.enqueue(delivery) }
        if !pending.isEmpty { logger.notice("resuming deliveries stored before the last stop", metadata: ["count": "\(pending.count)"]) }
        return pending.count
    }

    package func run() async throws {
        let queue = self.queue
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for await delivery in queue.stream {
                    if running >= maxConcurrent {
                        await group.next()
                        running -= 1
                    }
                    running += 1
                    // In-flight work is not cancelled by shutdown: an action half done is worse than a late stop.
                    group.addTask { await Task.detached { await processor.process(delivery) }.value }
                }
                await group.waitForAll()
            }
        }
        logger.info("core stopped")
    }
}
