import Store
import Synchronization

/// The poll sessions of cores that said they are stopping (`POST /relay/v1/sessions/ID/stop`).
///
/// A stopping core's long-poll still parked here is answered empty at once, and a later poll of that session too:
/// nothing is leased to a poll nobody will read (the core cancelled it on its side, which the relay cannot see).
/// A session id is per core process, so a restarted core with the same name is not affected.
package final class PollSessions: Sendable {
    private let stopped = Mutex<(set: Set<String>, order: [String], all: Bool)>(([], [], false))
    private let signal = DeliverySignal()
    /// Enough for every core that ever stops during a relay's life, bounded all the same.
    private let capacity = 10_000

    package init() {}

    /// Stopped: this session said so, or the relay itself is stopping (`stopAll`).
    package func isStopped(_ session: String?) -> Bool {
        stopped.withLock { $0.all || session.map($0.set.contains) ?? false }
    }

    /// The relay is stopping: every parked long-poll is answered empty now, so the listener's drain does not wait
    /// out a minute-long poll.
    package func stopAll() {
        stopped.withLock { $0.all = true }
        signal.notify()
    }

    package func stop(_ session: String) {
        stopped.withLock { state in
            guard state.set.insert(session).inserted else { return }
            state.order.append(session)
            if state.order.count > capacity {
                state.set.remove(state.order.removeFirst())
            }
        }
        signal.notify()
    }

    /// Returns when `session` (or the relay) is stopped, or after `timeout`.
    package func waitForStop(_ session: String?, timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while !Task.isCancelled {
            let seen = signal.generation
            if isStopped(session) { return }
            let left = deadline - ContinuousClock.now
            if left <= .zero { return }
            await signal.wait(since: seen, timeout: left)
        }
    }
}
