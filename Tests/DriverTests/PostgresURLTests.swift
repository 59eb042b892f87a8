import PostgresDriver
import Testing

@Suite struct PostgresURLTests {
    @Test func parsesEveryPartAndRedactsThePassword() throws {
        let url = try PostgresURL(parsing: "postgresql://bot:s%40cr%2Ft@db.example.com:6432/hybrid_ai?sslmode=require&connect_timeout=3")
        #expect(url.host == "db.example.com")
        #expect(url.port == 6432)
        #expect(url.database == "hybrid_ai")
        #expect(url.user == "bot")
        #expect(url.parameters.map(\.key) == ["sslmode", "connect_timeout"])
        #expect(url.parameters.map(\.value) == ["require", "3"])
        #expect(url.description == "postgresql://bot:***@db.example.com:6432/hybrid_ai?sslmode=require&connect_timeout=3")
        #expect(!url.description.contains("s@cr") && !url.description.contains("s%40cr"))
        #expect("\(url)" == url.description)
    }

    @Test(arguments: [
        ("postgres://localhost", "localhost", 5432, "postgres", nil),
        ("postgresql://127.0.0.1:5432/hybrid_ai", "127.0.0.1", 5432, "hybrid_ai", nil),
        ("postgresql://alice@[::1]:5433/app", "::1", 5433, "app", "alice"),
        ("  postgresql://alice:p@ss@host/db  ", "host", 5432, "db", "alice"),
        ("postgresql://carol@host", "host", 5432, "carol", "carol"),
        ("postgresql://h/db?user=dave&port=7000&dbname=other", "h", 7000, "other", "dave"),
    ] as [(String, String, Int, String, String?)])
    func defaultsAndForms(text: String, host: String, port: Int, database: String, user: String?) throws {
        let url = try PostgresURL(parsing: text)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.database == database)
        #expect(url.user == user)
    }

    @Test func unencodedAtSignStaysInThePassword() throws {
        let url = try PostgresURL(parsing: "postgresql://alice:p@ss@host/db")
        #expect(url.description == "postgresql://alice:***@host:5432/db")
    }

    @Test func passwordsInQueryParametersAreMasked() throws {
        let url = try PostgresURL(parsing: "postgresql://h/db?password=hunter2&sslpassword=opensesame&sslmode=verify-full")
        #expect(!url.description.contains("hunter2"))
        #expect(!url.description.contains("opensesame"))
        #expect(url.description == "postgresql://:***@h:5432/db?sslpassword=***&sslmode=verify-full")
    }

    @Test func unixSocketDirectoryAsHostParameter() throws {
        let url = try PostgresURL(parsing: "postgresql:///hybrid_ai?host=%2Frun%2Fpostgresql")
        #expect(url.host == "/run/postgresql")
        #expect(url.description == "postgresql:///hybrid_ai?host=%2Frun%2Fpostgresql")
    }

    @Test(arguments: [
        "mysql://u:secret@h/db",
        "postgresql://u:secret@h:99999/db",
        "postgresql://u:secret@h:port/db",
        "postgresql://u:secret@/db",
        "postgresql://u:secret@h1,h2/db",
        "postgresql://u:secret@h/db?bad%20key=1",
        "postgresql://u:secret@h/db?password=%zz",
        "postgresql://u:secret@ho st/db",
        "u:secret@h/db",
    ])
    func rejectsBadURLsWithoutEchoingTheSecret(text: String) {
        #expect { try PostgresURL(parsing: text) } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.isInvalidURL && !error.description.contains("secret") && error.description.hasPrefix("Invalid PostgreSQL URL")
        }
    }
}
