import Foundation
import Logging
import ServiceLifecycle
import Store

/// What firing a timer came to.
package enum TimerOutcome: Sendable, Equatable {
    case done
    /// The work failed and must still happen (a bypass must be turned off): try again after this long.
    case retry(after: Duration)
}

/// Does the work of one kind of durable timer.
package protocol TimerHandler: Sendable {
    var kind: String { get }
    func fire(_ timer: StoredTimer) async -> TimerOutcome
}

/// Fires durable timers (SQLite `timers`) when due — also those that fell due while the bot was down.
/// Each timer is claimed before its work (exactly one firing per key); at-least-once handlers ask for a retry.
/// A timer found `firing` at start (the bot died mid-work) is handed to its handler again: handlers are idempotent
/// or at-most-once by their own record (see each handler). With several cores (`staleAfter` set) no timer is taken
/// back at start — another core may be firing it — but one still `firing` that long after its claim is.
package struct TimerService: Service {
    let store: any BotStore
    let handlers: [String: any TimerHandler]
    let interval: Duration
    let now: @Sendable () -> Int64
    let logger: Logger
    let staleAfter: Duration?

    package init(
        store: any BotStore, handlers: [any TimerHandler], interval: Duration = .seconds(5), logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }, staleAfter: Duration? = nil
    ) {
        self.staleAfter = staleAfter
        self.store = store
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { a, _ in a })
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    package func run() async throws {
        if staleAfter == nil { await recoverInterrupted() }
        await cancelWhenGracefulShutdown {
            // With several cores, orphaned timers are looked for now and then (a tenth of `staleAfter`), not every tick:
            // each look is a call to the relay's one SQLite thread.
            var lastSweep: ContinuousClock.Instant?
            while !Task.isCancelled {
                if let staleAfter, lastSweep.map({ ContinuousClock.now - $0 >= staleAfter / 10 }) ?? true {
                    lastSweep = .now
                    await recoverInterrupted(claimedBefore: now() - staleAfter.milliseconds)
                }
                await fireDue()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Timers left `firing` by a previous process: put back to pending so they fire again now.
    package func recoverInterrupted(claimedBefore: Int64? = nil) async {
        for timer in (try? await store.interruptedTimers(claimedBefore: claimedBefore)) ?? [] {
            logger.notice("re-arming a timer interrupted by a restart", metadata: ["timer.key": "\(timer.key)"])
            try? await store.retryTimer(timer, retryAt: now())
        }
    }

    /// Fires every timer due now. Public for tests with an injected clock.
    package func fireDue() async {
        let due: [StoredTimer]
        do {
            due = try await store.dueTimers(now: now())
        } catch is CancellationError {
            return  // stopping: not a failure worth an ERROR line
        } catch {
            logger.error("could not read the timers", metadata: ["error": "\(error)"])
            return
        }
        for timer in due {
            guard let handler = handlers[timer.kind] else {
                logger.error("no handler for timer kind", metadata: ["timer.kind": "\(timer.kind)", "timer.key": "\(timer.key)"])
                _ = try? await store.cancelTimer(key: timer.key)
                continue
            }
            guard (try? await store.claimTimer(timer)) == true else { continue }
            switch await handler.fire(timer) {
            case .done:
                try? await store.finishTimer(timer)
            case .retry(let after):
                let ms = Int64(after.components.seconds) * 1000 + Int64(after.components.attoseconds / 1_000_000_000_000_000)
                try? await store.retryTimer(timer, retryAt: now() + max(1000, ms))
            }
        }
    }
}
