import RedisDriver
import Store

// Placeholder: RedisStreamInbox is being written (see DeliveryInbox).
package enum RedisInboxPlaceholder {}
