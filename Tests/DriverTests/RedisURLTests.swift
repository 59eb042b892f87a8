import RedisDriver
import Testing

@Suite struct RedisURLTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let text: String
        let host: String
        var port = 6379
        var database = 0
        var username: String?
        var password: String?
        var testDescription: String { text }
    }

    static let valid: [Valid] = [
        Valid(text: "redis://localhost", host: "localhost"),
        Valid(text: "  redis://localhost  ", host: "localhost"),
        Valid(text: "REDIS://Cache.internal", host: "Cache.internal"),
        Valid(text: "redis://127.0.0.1:6380/2", host: "127.0.0.1", port: 6380, database: 2),
        Valid(text: "redis://host/", host: "host"),
        Valid(text: "redis://:s3cret@cache.internal:6379/0", host: "cache.internal", password: "s3cret"),
        Valid(text: "redis://alice:p%40ss%3Aw%2Frd@host/3", host: "host", database: 3,
              username: "alice", password: "p@ss:w/rd"),
        Valid(text: "redis://u:p@ss@host:1", host: "host", port: 1, username: "u", password: "p@ss"),
        Valid(text: "redis://secretonly@host", host: "host", password: "secretonly"),
        Valid(text: "redis://host?db=5", host: "host", database: 5),
        Valid(text: "redis://host:7000/?db=4&timeout=3", host: "host", port: 7000, database: 4),
        Valid(text: "redis://host/4?db=4", host: "host", database: 4),
        Valid(text: "redis://[::1]:6390/1", host: "::1", port: 6390, database: 1),
        Valid(text: "redis://:@host", host: "host"),
    ]

    @Test(arguments: valid) func parsesValidURLs(_ case: Valid) throws {
        let url = try RedisURL(parsing: `case`.text)
        #expect(url.host == `case`.host)
        #expect(url.port == `case`.port)
        #expect(url.database == `case`.database)
        #expect(url.username == `case`.username)
        #expect(url.password == `case`.password)
        if let password = `case`.password, !password.isEmpty {
            #expect(!url.description.contains(password))
        }
    }

    @Test func descriptionMasksThePassword() throws {
        #expect(try RedisURL(parsing: "redis://:s3cret@cache.internal").description == "redis://:***@cache.internal:6379/0")
        #expect(try RedisURL(parsing: "redis://alice:s3cret@h:1/3").description == "redis://alice:***@h:1/3")
        #expect(try RedisURL(parsing: "redis://h").description == "redis://h:6379/0")
        #expect(try RedisURL(parsing: "redis://[::1]").description == "redis://[::1]:6379/0")
        #expect(try RedisURL(parsing: "redis://[::1]").endpoint == "[::1]:6379")
    }

    static let invalid: [(text: String, expected: String)] = [
        ("rediss://:topsecret@host", "TLS (rediss://) is not supported by this build"),
        ("http://:topsecret@host", "unsupported scheme \"http\""),
        ("topsecret", "expected redis://"),
        ("", "expected redis://"),
        ("redis://:topsecret@", "missing host"),
        ("redis://:topsecret@host:99999", "port must be a number from 1 to 65535"),
        ("redis://:topsecret@host:0", "port must be a number"),
        ("redis://:topsecret@host:abc", "port must be a number"),
        ("redis://:topsecret@host:", "port must be a number"),
        ("redis://user:topsecret", "port must be a number"),  // forgot the host: never echo the port text
        ("redis://:topsecret@host/abc", "database must be a non-negative integer"),
        ("redis://:topsecret@host/-1", "database must be a non-negative integer"),
        ("redis://:topsecret@host?db=x", "database must be a non-negative integer"),
        ("redis://:topsecret@host/1?db=2", "given twice"),
        ("redis://:top%ZZsecret@host", "invalid percent-encoding in the password"),
        ("redis://:topsecret@ho st", "not allowed in a host name"),
        ("redis://:topsecret@[::1", "unterminated IPv6"),
    ]

    @Test(arguments: invalid) func rejectsInvalidURLsWithoutLeakingThePassword(_ text: String, _ expected: String) {
        #expect {
            try RedisURL(parsing: text)
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.isInvalidURL && error.description.contains(expected)
                && !error.description.contains("topsecret") && !error.description.contains("secret")
        }
    }
}
