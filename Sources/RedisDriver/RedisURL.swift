import DriverSupport
/// Where and how to connect: `redis://[[user]:password@]host[:port][/db]` (or `?db=N`).
///
/// Parse errors never quote the user/password part, nor any part that could be a mistyped
/// password (a malformed port or database is described, not echoed).
package struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: Int
    package var database: Int
    package var username: String?
    package var password: String?

    package static let defaultPort = 6379

    package init(host: String, port: Int = RedisURL.defaultPort, database: Int = 0,
                 username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    /// Parses a `redis://` URL. A userinfo without `:` (`redis://secret@host`) is taken as the
    /// password, so a secret is never mistaken for a (displayed) user name. An empty password is nil.
    package init(parsing text: String) throws(RedisError) {
        let trimmed = URLText.trimmingWhitespace(text)
        guard let schemeEnd = trimmed.firstRange(of: "://") else {
            throw .invalidURL("expected redis://[[user]:password@]host[:port][/db]")
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        if scheme == "rediss" { throw .invalidURL("TLS (rediss://) is not supported by this build") }
        guard scheme == "redis" else {
            let shown = URLText.isSafeScheme(scheme) ? " \"\(scheme)\"" : ""
            throw .invalidURL("unsupported scheme\(shown) (expected redis://)")
        }
        var rest = trimmed[schemeEnd.upperBound...]

        // The last '@' ends the userinfo, so an unencoded '@', '/' or '?' in a password still
        // lands in the password (and never in a host/port/db error message).
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                let user = try Self.percentDecoded(userinfo[..<colon], what: "user name")
                username = user.isEmpty ? nil : user
                let secret = try Self.percentDecoded(userinfo[userinfo.index(after: colon)...], what: "password")
                password = secret.isEmpty ? nil : secret  // "redis://:@host" means no password
            } else if !userinfo.isEmpty {
                password = try Self.percentDecoded(userinfo, what: "password")
            }
        }

        var query: Substring = ""
        if let questionMark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: questionMark)...]
            rest = rest[..<questionMark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }

        let (host, port) = try Self.hostAndPort(rest)
        var database = 0
        if !path.isEmpty { database = try Self.database(path) }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first == "db" else { continue }  // other parameters are ignored
            let fromQuery = try Self.database(parts.count == 2 ? parts[1] : "")
            if !path.isEmpty, fromQuery != database {
                throw .invalidURL("the database is given twice (path and ?db=) with different values")
            }
            database = fromQuery
        }
        self.init(host: host, port: port, database: database, username: username, password: password)
    }

    /// `redis://user:***@host:6379/0`: the password is always masked.
    package var description: String {
        var userinfo = ""
        if let username { userinfo = username }
        if password != nil { userinfo += ":***" }
        if !userinfo.isEmpty { userinfo += "@" }
        return "redis://\(userinfo)\(endpoint)/\(database)"
    }

    /// `host:port` (IPv6 hosts in brackets), as used in error messages.
    package var endpoint: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    // MARK: - Parsing pieces

    private static func hostAndPort(_ authority: Substring) throws(RedisError) -> (String, Int) {
        do { return try URLText.hostAndPort(authority, defaultPort: defaultPort, requireHost: true) } catch { throw .invalidURL(error.message) }
    }

    private static func database(_ text: Substring) throws(RedisError) -> Int {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = Int(text), value <= Int(Int32.max) else {
            throw .invalidURL("the database must be a non-negative integer (e.g. /0)")
        }
        return value
    }

    private static func percentDecoded(_ text: Substring, what: String) throws(RedisError) -> String {
        do { return try URLText.percentDecoded(text, what: what) } catch { throw .invalidURL(error.message) }
    }
}
