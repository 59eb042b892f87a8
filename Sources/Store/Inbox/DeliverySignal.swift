import Synchronization

/// Wakes waiting long-polls when a delivery is stored: a generation counter plus the waiters' continuations.
///
/// A waiter reads `generation` before it looks for work and passes it to `wait`; a delivery stored in between bumps
/// the generation and `wait` returns at once, so no wake-up is ever missed and nobody polls in a loop.
package final class DeliverySignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    package var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter.
    package func notify() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns when the generation moves past `seen`, after `timeout`, or when the task is cancelled.
    package func wait(since seen: UInt64, timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    await withCheckedContinuation { continuation in
                        let resumeNow = self.state.withLock { state -> Bool in
                            if state.generation != seen || Task.isCancelled { return true }
                            state.waiters[id] = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    self.resume(id)
                }
                await group.next()
                group.cancelAll()
                self.resume(id)
            }
        } onCancel: {
            self.resume(id)
        }
    }

    private func resume(_ id: UInt64) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
    }
}
