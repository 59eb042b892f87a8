import Logging
import RedisDriver
import RedisInbox
import Store

/// Opens the Redis Stream inbox of `HYBRIDBOT_INBOX=redis://…`.
enum RedisInboxWiring {
    static func open(_ url: String, store: HybridStore, logger: Logger) async throws -> (any DeliveryInbox, String, RedisClient?) {
        throw fail("HYBRIDBOT_INBOX=redis://… is not available in this build yet")
    }
}
