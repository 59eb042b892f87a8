import PostgresDriver

/// The PostgreSQL of the Hybrid AI system (`DATABASE_URL`), or pgbouncer's admin console
/// (`PGBOUNCER_URL`), or why it cannot be used.
package struct PostgresTarget: Sendable {
    package static let defaultURL = "postgresql://127.0.0.1:5432/hybrid_ai"

    package let client: PostgresClient?
    private let problem: String?
    /// `host:port/database`, never the password.
    package let shown: String
    /// The database the client is connected to (`hybrid_ai` by default).
    package let database: String
    /// The environment variable the URL came from, named in hints.
    let variable: String
    /// "PostgreSQL" or "pgbouncer", the `dependency` of failures.
    let dependency: String

    /// A bad URL does not stop the bot: the PostgreSQL actions report it when used.
    package init(url: String, variable: String = "DATABASE_URL", poolSize: Int = 2, connectTimeout: Duration = .seconds(5),
                 statementTimeout: Duration = .seconds(15), applicationName: String = "hybridbot") {
        self.init(url: url, variable: variable, dependency: "PostgreSQL", poolSize: poolSize, connectTimeout: connectTimeout,
                  statementTimeout: statementTimeout, applicationName: applicationName)
    }

    /// The database (`DATABASE_URL`, default ``defaultURL``) and, when `PGBOUNCER_URL` is set, pgbouncer's console:
    /// `let (database, pgbouncer) = PostgresTarget.fromSettings { config[$0] }`.
    package static func fromSettings(_ value: (String) -> String?) -> (database: PostgresTarget, pgbouncer: PostgresTarget?) {
        let database = PostgresTarget(url: value("DATABASE_URL").flatMap { $0.isEmpty ? nil : $0 } ?? defaultURL)
        let pgbouncer = value("PGBOUNCER_URL").flatMap { $0.isEmpty ? nil : PostgresTarget.pgbouncer(url: $0) }
        return (database, pgbouncer)
    }

    /// pgbouncer's admin console (database `pgbouncer`): simple protocol only, no startup options.
    package static func pgbouncer(url: String, connectTimeout: Duration = .seconds(5)) -> PostgresTarget {
        PostgresTarget(url: url, variable: "PGBOUNCER_URL", dependency: "pgbouncer", poolSize: 1,
                       connectTimeout: connectTimeout, statementTimeout: nil, applicationName: "hybridbot")
    }

    private init(url: String, variable: String, dependency: String, poolSize: Int, connectTimeout: Duration,
                 statementTimeout: Duration?, applicationName: String) {
        self.variable = variable
        self.dependency = dependency
        do {
            let parsed = try PostgresURL(parsing: url)
            client = PostgresClient(url: parsed, poolSize: poolSize, connectTimeout: connectTimeout,
                                    statementTimeout: statementTimeout, applicationName: applicationName)
            problem = nil
            shown = parsed.shown
            database = parsed.database
        } catch {
            client = nil
            problem = "\(variable) is not usable: \(error)"
            shown = dependency
            database = "hybrid_ai"
        }
    }

    func connected() throws(ActionFailure) -> PostgresClient {
        guard let client else { throw ActionFailure(dependency: dependency, message: problem ?? "not configured") }
        return client
    }

    /// An operator-facing failure: what could not be done, the (redacted) error, and what to check.
    func failure(_ error: PostgresError, doing what: String) -> ActionFailure {
        var hint = ""
        let lowered = error.message.lowercased()
        if error.sqlState == "57014" {
            hint = " The statement ran into its timeout: the database may be overloaded or locked."
        } else if lowered.contains("too many clients") || error.sqlState == "53300" {
            hint = " The server is out of connection slots (see `db connections`)."
        } else if lowered.contains("authentication") || error.sqlState?.hasPrefix("28") == true {
            hint = " Check the user and password in \(variable)."
        } else if error.isTimeout || error.isConnectionFailure {
            hint = " Check \(variable) and that \(dependency) is up and reachable."
        } else if error.sqlState == "42501" {
            hint = " The bot's database role lacks a privilege (it needs pg_monitor, and pg_signal_backend to terminate)."
        }
        return ActionFailure(dependency: dependency, message: "could not \(what) on `\(shown)`: \(error)." + hint)
    }
}
