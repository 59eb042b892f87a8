import RedisDriver
import RedisInbox
import Testing

/// The cap on concurrent blocking waits: each holds a connection and a driver thread.
@Suite("Redis inbox wait connections")
struct RedisWaitersTests {
    @Test func atMostMaxWaitingWaitsAtOnceAndAFinishedOneFreesItsPlace() async throws {
        // No server is needed: connections connect on their first command, and none is sent here.
        let waiters = RedisWaiters(url: RedisURL(host: "127.0.0.1", port: 1), maxBlock: .seconds(1), connectTimeout: .seconds(1), maxWaiting: 2)
        let first = try #require(waiters.take())
        let second = try #require(waiters.take())
        #expect(waiters.take() == nil)
        await waiters.giveBack(first)
        let third = try #require(waiters.take())
        #expect(waiters.take() == nil)
        waiters.discard()
        await second.close()
        #expect(waiters.take() != nil)
        await third.close()
        await waiters.close()
    }
}
