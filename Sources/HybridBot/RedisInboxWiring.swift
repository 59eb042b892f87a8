import Logging
import RedisDriver
import RedisInbox
import Store

/// Opens the Redis Stream inbox of `HYBRIDBOT_INBOX=redis://…` (the relay's scale-out option).
enum RedisInboxWiring {
    static func open(_ text: String, store: HybridStore, logger: Logger) async throws -> (any DeliveryInbox, String, @Sendable () async -> Void) {
        let url: RedisURL
        do {
            url = try RedisURL(parsing: text)
        } catch {
            throw fail("HYBRIDBOT_INBOX: \(error)")
        }
        let inbox = RedisStreamInbox(url: url, auditStore: store)
        // Durability is Redis' own configuration: say plainly when it cannot keep the promise of a 200.
        if let warning = await inbox.durabilityWarning() {
            logger.warning("Redis inbox durability", metadata: ["redis.warning": "\(warning)"])
        }
        return (inbox, "\(url)", { await inbox.close() })
    }
}
