import Foundation
import Synchronization

/// Wall-clock milliseconds that a test can move forward (approval expiry without waiting).
final class TestClock: Sendable {
    private let offset = Mutex<Int64>(0)

    var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) + offset.withLock { $0 } }

    func advance(by duration: Duration) {
        offset.withLock { $0 += duration.components.seconds * 1000 }
    }
}
