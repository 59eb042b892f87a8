import RedisDriver
import Synchronization

/// Dedicated connections for blocking `XREAD … BLOCK` waits.
///
/// A `RedisClient` runs its commands one after another on one connection, so a long-poll blocking there would hold up
/// every store, ack and lease behind it. Each waiting `lease` borrows a connection of its own instead (kept for reuse,
/// up to `maxIdle`, so a steadily long-polling core does not reconnect each time). Its socket timeout is longer than
/// the longest single block (``RedisWaiters/maxBlock``); longer waits are a series of blocks.
final class RedisWaiters: Sendable {
    /// The longest single `BLOCK`; the connection's read timeout is this plus a margin.
    let maxBlock: Duration
    private let url: RedisURL
    private let timeout: Duration
    private let maxIdle: Int
    private let state = Mutex(State())

    private struct State {
        var idle: [RedisClient] = []
        var closed = false
    }

    init(url: RedisURL, maxBlock: Duration, connectTimeout: Duration, maxIdle: Int = 4) {
        self.url = url
        self.maxBlock = max(.milliseconds(1), maxBlock)
        self.timeout = self.maxBlock + max(connectTimeout, .seconds(1))
        self.maxIdle = max(0, maxIdle)
    }

    /// A connection for one wait: an idle one, else a new one.
    func take() -> RedisClient {
        state.withLock { $0.idle.popLast() } ?? RedisClient(url: url, timeout: timeout)
    }

    /// Gives back a connection that answered normally; closed when enough are idle or the inbox closed.
    func giveBack(_ client: RedisClient) async {
        let kept = state.withLock { state in
            guard !state.closed, state.idle.count < maxIdle else { return false }
            state.idle.append(client)
            return true
        }
        if !kept { await client.close() }
    }

    /// Closes every idle connection; connections given back later are closed too.
    func close() async {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for client in idle { await client.close() }
    }
}
