import RedisDriver
import Synchronization

/// Dedicated connections for blocking `XREAD … BLOCK` waits.
///
/// A `RedisClient` runs its commands one after another on one connection, so a long-poll blocking there would hold up
/// every store, ack and lease behind it. Each waiting `lease` borrows a connection of its own instead (kept for reuse,
/// up to `maxIdle`, so a steadily long-polling core does not reconnect each time). Its socket timeout is longer than
/// the longest single block (``RedisWaiters/maxBlock``); longer waits are a series of blocks.
package final class RedisWaiters: Sendable {
    /// The longest single `BLOCK`; the connection's read timeout is this plus a margin.
    let maxBlock: Duration
    private let url: RedisURL
    private let timeout: Duration
    private let maxIdle: Int
    /// At most this many waits at once: each holds a connection and a driver thread, so a flood of long-polls (or a
    /// token holder's loop) cannot open threads without bound. Beyond it a `lease` fails and the core backs off.
    package let maxWaiting: Int
    private let state = Mutex(State())

    private struct State {
        var idle: [RedisClient] = []
        var waiting = 0
        var closed = false
    }

    package init(url: RedisURL, maxBlock: Duration, connectTimeout: Duration, maxIdle: Int = 4, maxWaiting: Int = 64) {
        self.maxWaiting = max(1, maxWaiting)
        self.url = url
        self.maxBlock = max(.milliseconds(1), maxBlock)
        self.timeout = self.maxBlock + max(connectTimeout, .seconds(1))
        self.maxIdle = max(0, maxIdle)
    }

    /// A connection for one wait: an idle one, else a new one; nil when `maxWaiting` waits are under way.
    package func take() -> RedisClient? {
        let (allowed, idle) = state.withLock { state -> (Bool, RedisClient?) in
            guard state.waiting < maxWaiting else { return (false, nil) }
            state.waiting += 1
            return (true, state.idle.popLast())
        }
        guard allowed else { return nil }
        return idle ?? RedisClient(url: url, timeout: timeout)
    }

    /// Ends a wait whose connection failed (the caller closes it).
    package func discard() {
        state.withLock { $0.waiting -= 1 }
    }

    /// Gives back a connection that answered normally; closed when enough are idle or the inbox closed.
    package func giveBack(_ client: RedisClient) async {
        let kept = state.withLock { state in
            state.waiting -= 1
            guard !state.closed, state.idle.count < maxIdle else { return false }
            state.idle.append(client)
            return true
        }
        if !kept { await client.close() }
    }

    /// Closes every idle connection; connections given back later are closed too.
    package func close() async {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for client in idle { await client.close() }
    }
}
