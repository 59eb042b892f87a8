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
        let running = InFlightDeliveries()
        let stop = StopSignal()
        let (finished, finishedContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .unbounded)
        let inbox = self.inbox, owner = self.owner
        // A graceful shutdown and a cancellation of this task both stop the loop the same way.
        let beginStop: @Sendable () -> Void = {
            guard !stop.isSet else { return }
            stop.set()
            finishedContinuation.yield()
            // Ask the inbox to end our waiting poll now (the relay answers it empty, so nothing is leased to a poll
            // nobody reads); if that fails, cancel it after a moment.
            Task {
                await inbox.interruptWaits(owner: owner)
                try? await Task.sleep(for: .seconds(2))
                stop.poll?.cancel()
            }
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                var slots = finished.makeAsyncIterator()
                var cursor: Int64?
                var failures = 0
                while !stop.isSet {
                    while running.count >= maxConcurrent, !stop.isSet {
                        guard await slots.next() != nil else { return }
                    }
                    if stop.isSet { break }
                    let batch: [StoredDelivery]
                    do {
                        let poll = Task { [cursor, limit = maxConcurrent - running.count, lease, wait] in
                            try await inbox.lease(owner: owner, after: cursor, limit: limit, lease: lease, wait: wait)
                        }
                        stop.poll = poll
                        batch = try await poll.value
                        failures = 0
                    } catch {
                        if stop.isSet { break }
                        failures += 1
                        // Loud once, then quiet: a relay restart should not flood the log.
                        if failures == 1 || failures % 30 == 0 {
                            logger.error("cannot lease deliveries", metadata: ["error": "\(error)", "core.failures": "\(failures)"])
                        }
                        try? await Task.sleep(for: .milliseconds(min(200 * failures, 5_000)))
                        continue
                    }
                    if stop.isSet {
                        // Leased while we were stopping: give them back at once for another core.
                        for delivery in batch { try? await inbox.release(id: delivery.id, owner: owner) }
                        break
                    }
                    for delivery in batch {
                        cursor = max(cursor ?? 0, delivery.id)
                        running.add(delivery.id)
                        // Not cancelled by shutdown (an action half done is worse than a late stop): detached.
                        Task.detached { [processor, lease, logger] in
                            let keeper = Task { await Self.keepLease(delivery.id, inbox: inbox, owner: owner, lease: lease, logger: logger) }
                            await processor.process(delivery)
                            keeper.cancel()
                            await CoreService.acknowledge(delivery, at: inbox, logger: logger)
                            running.remove(delivery.id)
                            finishedContinuation.yield()
                        }
                    }
                }
            } onGracefulShutdown: {
                beginStop()
            }
        } onCancel: {
            beginStop()
        }
        await drain(running)
    }

    /// Renews a lease every third of its length until cancelled; says so once if the lease was lost.
    static func keepLease(_ id: Int64, inbox: any DeliveryInbox, owner: String, lease: Duration, logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: inbox.renewalInterval(for: lease))
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

    private func drain(_ running: InFlightDeliveries) async {
        let deadline = ContinuousClock.now + drainDeadline
        let inbox = self.inbox, owner = self.owner
        let stillRunning = await running.drained(by: deadline)
        // Detached: this task may be cancelled by now, and the releases are HTTP calls that honour cancellation.
        let left = await Task.detached {
            for id in stillRunning { try? await inbox.release(id: id, owner: owner) }
            return stillRunning.count
        }.value
        if left > 0 {
            logger.warning("stopped with commands still running; their leases were given back (they will be reported as interrupted)",
                           metadata: ["core.in_flight": "\(left)"])
        }
        logger.info("core stopped")
    }
}

/// Set once when the core is asked to stop; holds the long-poll in flight so it can be ended.
private final class StopSignal: Sendable {
    private let state = Mutex<(stopped: Bool, poll: Task<[StoredDelivery], any Error>?)>((false, nil))
    var isSet: Bool { state.withLock { $0.stopped } }
    func set() { state.withLock { $0.stopped = true } }
    var poll: Task<[StoredDelivery], any Error>? {
        get { state.withLock { $0.poll } }
        set { state.withLock { $0.poll = newValue } }
    }
}
