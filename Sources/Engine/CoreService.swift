import Logging
import ServiceLifecycle
import Store
import Synchronization

/// The long-lived core of `serve`: processes queued deliveries, several at a time, until shut down.
///
/// On graceful shutdown it stops taking new deliveries and lets the ones in flight finish — for at most
/// `drainDeadline` (a restore Job may wait half an hour): then it returns anyway, and what is still running stays
/// `started` in SQLite and is reported as interrupted after the restart, never re-run blindly. Anything still queued
/// stays `pending` and is picked up at the next start.
package struct CoreService: Service {
    private let processor: CommandProcessor
    private let queue: DeliveryQueue
    private let inbox: any DeliveryInbox
    private let maxConcurrent: Int
    private let logger: Logger

    private let drainDeadline: Duration

    package init(
        processor: CommandProcessor, queue: DeliveryQueue, inbox: any DeliveryInbox, maxConcurrent: Int = 16, drainDeadline: Duration = .seconds(20),
        logger: Logger
    ) {
        self.processor = processor
        self.queue = queue
        self.inbox = inbox
        self.maxConcurrent = maxConcurrent
        self.drainDeadline = drainDeadline
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

    /// Marks a processed delivery done; a failure only means it is processed again after a restart, where its
    /// execution record answers (finished → the result is re-sent, never re-run).
    package static func acknowledge(_ delivery: StoredDelivery, at inbox: any DeliveryInbox, logger: Logger) async {
        do {
            if try await inbox.ack(id: delivery.id) == .unknown {
                logger.warning("acked a delivery the inbox does not know", metadata: ["delivery.id": "\(delivery.id)"])
            }
        } catch {
            logger.error("could not mark delivery done", metadata: ["delivery.id": "\(delivery.id)", "error": "\(error)"])
        }
    }

    package func run() async throws {
        let queue = self.queue, processor = self.processor, maxConcurrent = self.maxConcurrent, inbox = self.inbox, logger = self.logger
        let inFlight = InFlightDeliveries()
        let (finished, finishedContinuation) = AsyncStream.makeStream(of: Void.self)
        await cancelWhenGracefulShutdown {
            var slots = finished.makeAsyncIterator()
            for await delivery in queue.stream {
                while inFlight.count >= maxConcurrent {
                    guard await slots.next() != nil else { return }
                }
                inFlight.add(delivery.id)
                // In-flight work is not cancelled by shutdown (an action half done is worse than a late stop): detached.
                Task.detached {
                    await processor.process(delivery)
                    await Self.acknowledge(delivery, at: inbox, logger: logger)
                    inFlight.remove(delivery.id)
                    finishedContinuation.yield()
                }
            }
        }
        let left = await inFlight.drained(by: ContinuousClock.now + drainDeadline).count
        if left > 0 {
            logger.warning("stopping with commands still running; they will be reported as interrupted after the restart",
                           metadata: ["core.in_flight": "\(left)"])
        }
        logger.info("core stopped")
    }
}
