import DriverSupport
/// A failed Redis operation. Every `description` is operator-safe: it names the endpoint and
/// what went wrong, and never contains the password (server messages are redacted before they
/// are stored, see ``RedisRedaction``).
package struct RedisError: Error, Sendable, CustomStringConvertible, Equatable {
    private enum Code: Sendable, Equatable {
        case connectionRefused, timeout, authentication, protocolError
        case server(String)
        case invalidURL, closed, other
    }

    private let code: Code
    package let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    package var isConnectionRefused: Bool { code == .connectionRefused }
    package var isTimeout: Bool { code == .timeout }
    package var isAuthentication: Bool { code == .authentication }
    package var isProtocolError: Bool { code == .protocolError }
    package var isInvalidURL: Bool { code == .invalidURL }
    /// The server closed the connection, or the client was closed.
    package var isClosed: Bool { code == .closed }
    package var isServerError: Bool {
        if case .server = code { return true }
        return false
    }

    /// The (redacted) `-ERR …` text of a server error reply, nil for every other kind of error.
    package var serverMessage: String? {
        if case .server(let message) = code { return message }
        return nil
    }
}

// MARK: - Factories (internal: only the driver builds errors)

extension RedisError {
    static func invalidURL(_ reason: String) -> RedisError {
        RedisError(.invalidURL, "Invalid Redis URL: \(reason)")
    }

    static func connectionRefused(_ endpoint: String) -> RedisError {
        RedisError(.connectionRefused, "Redis at \(endpoint) refused the connection")
    }

    static func timeout(_ endpoint: String, after timeout: Duration) -> RedisError {
        RedisError(.timeout, "Redis at \(endpoint) did not answer within \(DurationText.short(timeout))")
    }

    static func connectionClosed(_ endpoint: String, detail: String?) -> RedisError {
        RedisError(.closed, "Redis at \(endpoint) closed the connection" + (detail.map { " (\($0))" } ?? ""))
    }

    static let clientClosed = RedisError(.closed, "Redis client is closed")

    static func protocolError(_ endpoint: String, detail: String) -> RedisError {
        RedisError(.protocolError, "Redis at \(endpoint) sent an invalid reply (\(detail))")
    }

    static func other(_ description: String) -> RedisError {
        RedisError(.other, description)
    }

    /// A `-ERR`-style reply. `message` must already be redacted.
    static func server(_ message: String) -> RedisError {
        if RedisError.isAuthenticationMessage(message) {
            return RedisError(.authentication, "Redis requires a valid password (check REDIS_URL): \(message)")
        }
        return RedisError(.server(message), "Redis error: \(message)")
    }

    /// The server answered AUTH with an error. `message` must already be redacted.
    static func authenticationRejected(_ message: String) -> RedisError {
        let upper = message.uppercased()
        if upper.hasPrefix("WRONGPASS") || upper.contains("INVALID PASSWORD")
            || upper.contains("INVALID USERNAME-PASSWORD") {
            return RedisError(.authentication, "Redis rejected the password (check REDIS_URL)")
        }
        return RedisError(.authentication, "Redis rejected AUTH (check REDIS_URL): \(message)")
    }

    /// The reply had an unexpected shape for a typed helper (e.g. DBSIZE not returning an integer).
    static func unexpectedReply(_ command: String, _ reply: RedisReply) -> RedisError {
        RedisError(.protocolError, "Redis answered \(command) with an unexpected \(reply.kindName) reply")
    }

    static func isAuthenticationMessage(_ message: String) -> Bool {
        let upper = message.uppercased()
        return upper.hasPrefix("NOAUTH") || upper.hasPrefix("WRONGPASS")
    }
}

/// Removes a secret from text that came from the outside (server replies, library messages).
enum RedisRedaction {
    static func redact(_ text: String, password: String?) -> String {
        guard let password, !password.isEmpty, text.contains(password) else { return text }
        return text.replacing(password, with: "***")
    }
}
