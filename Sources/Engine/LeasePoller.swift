import Logging
import ServiceLifecycle
import Store
import Synchronization

/// The core of a relay deployment: leases deliveries from an inbox (the relay's long-poll, or a shared Redis Stream),
/// processes several at a time, keeps each lease alive while its action runs, and acks when done.
///
/// A lease is what makes several cores safe: a delivery handed to this core is invisible to the others until it is
/// acked, or until this core stops renewing it (it died) — then another core gets it, finds its execution record
/// `started`, and reports it interrupted instead of running it again. On a graceful stop the poller stops leasing,
/// lets in-flight work finish for at most `drainDeadline`, and gives back the leases of what is still running.
package struct LeasePoller: Service {
    private let processor: CommandProcessor
    private let inbox: any DeliveryInbox
    private let owner: String
    private let lease: Duration
    private let wait: Duration
    private let maxConcurrent: Int
    private let drainDeadline: Duration
    private let logger: Logger

    package init(
        processor: CommandProcessor, inbox: any DeliveryInbox, owner: String, lease: Duration, wait: Duration = .seconds(25),
        maxConcurrent: Int = 16, drainDeadline: Duration = .seconds(20), logger: Logger
    ) {
        self.processor = processor
        self.inbox = inbox
        self.owner = owner
        self.lease = lease
        self.wait = wait
        self.maxConcurrent = maxConcurrent
        self.drainDeadline = drainDeadline
        self.logger = logger
    }

    package func run() async throws {
        let running = Running()
        let (finished, finishedContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .unbounded)
        await cancelWhenGracefulShutdown {
            var slots = finished.makeAsyncIterator()
            var cursor: Int64?
            var failures = 0
            while !Task.isCancelled {
                while running.count >= maxConcurrent {
                    guard await slots.next() != nil else { return }
                }
                let batch: [StoredDelivery]
                do {
                    batch = try await inbox.lease(
                        owner: owner, after: cursor, limit: maxConcurrent - running.count, lease: lease, wait: wait)
                    failures = 0
                } catch {
                    if Task.isCancelled { break }
                    failures += 1
                    // Loud once, then quiet: a relay restart should not flood the log.
                    if failures == 1 || failures % 30 == 0 {
                        logger.error("cannot lease deliveries", metadata: ["error": "\(error)", "core.failures": "\(failures)"])
                    }
                    try? await Task.sleep(for: .milliseconds(min(200 * failures, 5_000)))
                    continue
                }
                for delivery in batch {
                    cursor = max(cursor ?? 0, delivery.id)
                    running.add(delivery.id)
                    // Not cancelled by shutdown (an action half done is worse than a late stop): detached.
                    Task.detached { [processor, inbox, owner, lease, logger] in
                        let keeper = Task { await Self.keepLease(delivery.id, inbox: inbox, owner: owner, lease: lease, logger: logger) }
                        await processor.process(delivery)
                        keeper.cancel()
                        await CoreService.acknowledge(delivery, at: inbox, logger: logger)
                        running.remove(delivery.id)
                        finishedContinuation.yield()
                    }
                }
            }
        }
        await drain(running)
    }

    /// Renews a lease every third of its length until cancelled; says so once if the lease was lost.
    static func keepLease(_ id: Int64, inbox: any DeliveryInbox, owner: String, lease: Duration, logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: lease / 3)
            if Task.isCancelled { return }
            do {
                if try await !inbox.extendLease(id: id, owner: owner, lease: lease) {
                    logger.warning("lost the lease of a running delivery; another core will report it interrupted",
                                   metadata: ["delivery.id": "\(id)"])
                    return
                }
            } catch {
                logger.warning("could not renew a lease", metadata: ["delivery.id": "\(id)", "error": "\(error)"])
            }
        }
    }

    private func drain(_ running: Running) async {
        let deadline = ContinuousClock.now + drainDeadline
        let inbox = self.inbox, owner = self.owner
        // Detached: this task may be cancelled by now, and the releases are HTTP calls that honour cancellation.
        let left = await Task.detached {
            while running.count > 0, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            let left = running.ids
            for id in left { try? await inbox.release(id: id, owner: owner) }
            return left.count
        }.value
        if left > 0 {
            logger.warning("stopped with commands still running; their leases were given back (they will be reported as interrupted)",
                           metadata: ["core.in_flight": "\(left)"])
        }
        logger.info("core stopped")
    }
}

/// The deliveries this core is processing, shared with the detached tasks doing it.
private final class Running: Sendable {
    private let ids_ = Mutex(Set<Int64>())
    var count: Int { ids_.withLock { $0.count } }
    var ids: [Int64] { ids_.withLock { Array($0) } }
    func add(_ id: Int64) { ids_.withLock { _ = $0.insert(id) } }
    func remove(_ id: Int64) { ids_.withLock { _ = $0.remove(id) } }
}
