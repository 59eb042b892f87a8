import DriverSupport
/// A failed PostgreSQL operation. Every `description` is operator-safe: it names the endpoint and
/// what went wrong, and never contains the password (library and server texts are redacted before
/// they are stored, see ``PostgresRedaction``).
package struct PostgresError: Error, Sendable, CustomStringConvertible, Equatable {
    private enum Code: Sendable, Equatable {
        case invalidURL, connection, connectTimeout, timeout, server, closed, other
    }

    private let code: Code
    /// The five-character SQLSTATE of a server error (`57014`, `42P01`…), nil for client-side failures.
    package let sqlState: String?
    /// What went wrong, for the operator (redacted).
    package let message: String

    private init(_ code: Code, sqlState: String? = nil, _ message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    package var description: String {
        guard let sqlState else { return message }
        return "\(message) (SQLSTATE \(sqlState))"
    }

    /// The server could not be reached (also within the connect timeout), refused the session
    /// (authentication, too many connections, shutting down) or the connection broke.
    package var isConnectionFailure: Bool {
        if code == .connection || code == .connectTimeout { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || sqlState.hasPrefix("28") || sqlState == "53300"
            || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    /// `statement_timeout` cancelled the statement (57014), or connecting/answering took too long.
    package var isTimeout: Bool { code == .timeout || code == .connectTimeout || sqlState == "57014" }
    package var isInvalidURL: Bool { code == .invalidURL }
    /// The client was closed (``PostgresClient/close()``).
    package var isClosed: Bool { code == .closed }
    /// The server answered with an error (any SQLSTATE).
    package var isServerError: Bool { code == .server }
}

// MARK: - Factories (internal: only the driver builds errors)

extension PostgresError {
    static func invalidURL(_ reason: String) -> PostgresError {
        PostgresError(.invalidURL, "Invalid PostgreSQL URL: \(reason)")
    }

    static func connectFailed(_ endpoint: String, _ detail: String) -> PostgresError {
        PostgresError(.connection, "Cannot connect to PostgreSQL at \(endpoint): \(detail)")
    }

    static func connectTimeout(_ endpoint: String, after timeout: Duration) -> PostgresError {
        PostgresError(.connectTimeout, "PostgreSQL at \(endpoint) did not accept the connection within \(DurationText.short(timeout))")
    }

    static func connectionLost(_ endpoint: String, _ detail: String) -> PostgresError {
        PostgresError(.connection, "Lost the connection to PostgreSQL at \(endpoint): \(detail)")
    }

    static func noAnswer(_ endpoint: String, after timeout: Duration) -> PostgresError {
        PostgresError(.timeout, "PostgreSQL at \(endpoint) did not answer within \(DurationText.short(timeout)); the statement was cancelled")
    }

    /// An ErrorResponse. `message` must already be redacted.
    static func server(sqlState: String?, _ message: String) -> PostgresError {
        PostgresError(.server, sqlState: sqlState, "PostgreSQL error: \(message)")
    }

    static let clientClosed = PostgresError(.closed, "PostgreSQL client is closed")

    static func other(_ message: String) -> PostgresError {
        PostgresError(.other, message)
    }
}

/// Removes a secret from text that came from the outside (libpq and server messages).
enum PostgresRedaction {
    static func redact(_ text: String, password: String?) -> String {
        guard let password, !password.isEmpty, text.contains(password) else { return text }
        return text.replacing(password, with: "***")
    }
}
