import DriverSupport
/// Where and how to connect: `postgresql://[user[:password]@]host[:port][/dbname][?param=value&…]`
/// (`postgres://` too). Query parameters are libpq keywords (`sslmode=require`, `host=/run/postgresql`…).
///
/// Parse errors never quote the userinfo, nor any part that could be a mistyped password.
package struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: Int
    package var database: String
    package var user: String?
    var password: String?
    /// Further libpq connection keywords from the query string, in order (never `password`, kept above).
    package var parameters: [(key: String, value: String)]

    package static let defaultPort = 5432

    package init(parsing text: String) throws(PostgresError) {
        let trimmed = URLText.trimmingWhitespace(text)
        guard let schemeEnd = trimmed.firstRange(of: "://") else {
            throw .invalidURL("expected postgresql://[user[:password]@]host[:port][/database]")
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "postgresql" || scheme == "postgres" else {
            let shown = URLText.isSafeScheme(scheme) ? " \"\(scheme)\"" : ""
            throw .invalidURL("unsupported scheme\(shown) (expected postgresql://)")
        }
        var rest = trimmed[schemeEnd.upperBound...]

        // Query first: '@' and '/' may legally appear in its values (host=/run/postgresql).
        var query: Substring = ""
        if let questionMark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: questionMark)...]
            rest = rest[..<questionMark]
        }
        // The last '@' ends the userinfo, so an unencoded '@' or '/' in a password stays in the password.
        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let userPart = userinfo.firstIndex(of: ":").map { userinfo[..<$0] } ?? userinfo
            let decodedUser = try Self.percentDecoded(userPart, what: "user name")
            user = decodedUser.isEmpty ? nil : decodedUser
            if let colon = userinfo.firstIndex(of: ":") {
                let secret = try Self.percentDecoded(userinfo[userinfo.index(after: colon)...], what: "password")
                password = secret.isEmpty ? nil : secret
            }
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }

        var (host, port) = try Self.hostAndPort(rest)
        var database = try Self.percentDecoded(path, what: "database name")
        var parameters: [(key: String, value: String)] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try Self.percentDecoded(parts[0], what: "parameter name")
            guard Self.isKeyword(key) else { throw .invalidURL("a query parameter name is not a libpq keyword") }
            let value = try Self.percentDecoded(parts.count == 2 ? parts[1] : "", what: "value of \(key)")
            switch key {
            case "password": password = value.isEmpty ? nil : value
            case "user": user = value.isEmpty ? nil : value
            case "dbname": database = value
            case "host":
                guard !value.contains(",") else { throw .invalidURL("several hosts are not supported") }
                host = value
            case "port":
                port = try Self.port(Substring(value))
            default: parameters.append((key, value))
            }
        }
        guard !host.isEmpty else { throw .invalidURL("missing host") }
        self.host = host
        self.port = port
        self.database = database.isEmpty ? (user ?? "postgres") : database
        self.user = user
        self.password = password
        self.parameters = parameters
    }

    /// `postgresql://user:***@host:5432/db?sslmode=require`: the password is always masked.
    package var description: String {
        var userinfo = user.map(Self.percentEncoded) ?? ""
        if password != nil { userinfo += ":***" }
        if !userinfo.isEmpty { userinfo += "@" }
        let hostIsPath = host.hasPrefix("/")
        var query = parameters.map { pair in
            "\(pair.key)=\(pair.key.contains("password") ? "***" : Self.percentEncoded(pair.value))"
        }
        if hostIsPath { query.insert("host=\(Self.percentEncoded(host))", at: 0) }
        let authority = hostIsPath ? "" : endpoint
        return "postgresql://\(userinfo)\(authority)/\(Self.percentEncoded(database))"
            + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// `host:port/database` (IPv6 hosts in brackets), as used in messages.
    package var shown: String { "\(endpoint)/\(database)" }

    /// `host:port` (IPv6 hosts in brackets).
    package var endpoint: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    package static func == (lhs: PostgresURL, rhs: PostgresURL) -> Bool {
        lhs.host == rhs.host && lhs.port == rhs.port && lhs.database == rhs.database && lhs.user == rhs.user
            && lhs.password == rhs.password && lhs.parameters.elementsEqual(rhs.parameters, by: { $0 == $1 })
    }

    // MARK: - Parsing pieces

    private static func hostAndPort(_ authority: Substring) throws(PostgresError) -> (String, Int) {
        if authority.contains(",") { throw .invalidURL("several hosts are not supported") }
        do { return try URLText.hostAndPort(authority, defaultPort: defaultPort, requireHost: false) } catch { throw .invalidURL(error.message) }
    }

    private static func port(_ text: Substring) throws(PostgresError) -> Int {
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text), (1...65_535).contains(value) else {
            throw .invalidURL("the port must be a number from 1 to 65535")
        }
        return value
    }

    private static func isKeyword(_ key: String) -> Bool {
        !key.isEmpty && key.count <= 40 && key.allSatisfy { $0.isASCII && ($0.isLowercase || $0 == "_") }
    }

    private static func percentDecoded(_ text: Substring, what: String) throws(PostgresError) -> String {
        let decoded: String
        do { decoded = try URLText.percentDecoded(text, what: what) } catch { throw .invalidURL(error.message) }
        guard !decoded.utf8.contains(0) else { throw .invalidURL("the \(what) contains a NUL byte") }
        return decoded
    }

    private static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let unreserved = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                || Array("-._~".utf8).contains(byte)
            if unreserved {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
