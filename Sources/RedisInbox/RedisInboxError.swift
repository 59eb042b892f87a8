import RedisDriver

/// A failed inbox operation, operator-safe: it names the operation and the inbox by its redacted URL
/// (`RedisURL.description` masks the password; driver errors are redacted already).
package struct RedisInboxError: Error, Sendable, CustomStringConvertible {
    package let description: String

    /// A transport or server failure of `operation` (e.g. "store the delivery").
    static func redis(_ operation: String, _ url: RedisURL, _ error: RedisError) -> RedisInboxError {
        RedisInboxError(description: "Redis inbox \(url): cannot \(operation): \(error)")
    }

    /// A server error reply (`-ERR …`, already redacted by the driver).
    static func server(_ operation: String, _ url: RedisURL, _ message: String) -> RedisInboxError {
        RedisInboxError(description: "Redis inbox \(url): cannot \(operation): Redis error: \(message)")
    }

    /// A reply whose shape this inbox did not write or expect (another application using the same prefix?).
    static func unexpected(_ operation: String, _ url: RedisURL, _ detail: String) -> RedisInboxError {
        RedisInboxError(description: "Redis inbox \(url): cannot \(operation): \(detail)")
    }

    static func invalid(_ detail: String) -> RedisInboxError {
        RedisInboxError(description: "Redis inbox: \(detail)")
    }
}
