import Synchronization

/// The deliveries a core is processing, shared with the detached tasks doing it; what a stop waits for.
final class InFlightDeliveries: Sendable {
    private let ids = Mutex(Set<Int64>())

    var count: Int { ids.withLock { $0.count } }
    func add(_ id: Int64) { ids.withLock { _ = $0.insert(id) } }
    func remove(_ id: Int64) { ids.withLock { _ = $0.remove(id) } }

    /// Waits until nothing is in flight or `deadline` passes; returns what is still running then. Detached: the
    /// caller is usually being cancelled by the stop, and the wait must not end early because of it.
    func drained(by deadline: ContinuousClock.Instant) async -> [Int64] {
        await Task.detached {
            while self.count > 0, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            return self.ids.withLock { Array($0) }
        }.value
    }
}
