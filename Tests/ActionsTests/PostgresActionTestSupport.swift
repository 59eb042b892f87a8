import Actions
import BotCore
import Foundation
import Logging
import PostgresDriver
import TestSupport
import Testing

/// Helpers for the `postgres.*` action tests (real server of the suite's `.postgresServer` trait).
enum PostgresFixture {
    static func context(approved: [PreviewFact] = [], authorization: RunAuthorization? = nil) -> ActionContext {
        ActionContext(userID: "U0TEST", channelID: "C0TEST", command: "db test", logger: Logger(label: "postgres-action-tests"),
                      approvedFacts: approved, authorization: authorization)
    }

    static func target() throws -> PostgresTarget {
        PostgresTarget(url: try PostgresTestServer.shared().url, connectTimeout: .seconds(2))
    }

    /// A session that is not the bot's: its own client, one connection, a distinct application_name.
    static func session(_ applicationName: String, database: String = PostgresTestServer.database) throws -> PostgresClient {
        PostgresClient(url: try PostgresURL(parsing: PostgresTestServer.shared().url(database: database)), poolSize: 1,
                       statementTimeout: .seconds(60), applicationName: applicationName)
    }

    static func pid(of client: PostgresClient) async throws -> Int64 {
        try #require(try await client.query("SELECT pg_backend_pid() AS pid").rows.first?["pid"].int)
    }

    /// Waits until `pid` is active and waiting/running its statement (so it shows in pg_stat_activity).
    static func waitUntilActive(_ pid: Int64, observer: PostgresClient, waitingForLock: Bool = false) async throws {
        for _ in 0..<300 {
            let rows = try await observer.query("""
                SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1::int4 AND state = 'active'
                """, [String(pid)]).rows
            if let row = rows.first, !waitingForLock || row["wait_event_type"] == .text("Lock") { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("backend \(pid) did not become active within 3s")
    }

    /// Closes the clients and waits until their backends have left pg_stat_activity, so the next
    /// test of the serialized suite starts from a quiet server.
    static func closeAndWait(_ clients: [PostgresClient], observer: PostgresClient) async throws {
        var pids: [String] = []
        for client in clients {
            pids += await client.backendPIDs().map(String.init)
            await client.close()
        }
        for _ in 0..<300 {
            let rows = try await observer.query("SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int4[])",
                                                ["{" + pids.joined(separator: ",") + "}"]).rows
            if rows.isEmpty { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("backends \(pids) still present after 3s")
    }

    static func run(
        _ action: any Action, _ parameters: [String: ResolvedValue] = [:], approved: [PreviewFact] = [],
        authorization: RunAuthorization? = nil
    ) async throws -> ActionOutput {
        try await action.run(parameters, context: context(approved: approved, authorization: authorization))
    }

    /// The failure `action` throws, or a recorded issue.
    static func failure(_ action: any Action, _ parameters: [String: ResolvedValue] = [:]) async -> ActionFailure? {
        do {
            _ = try await action.run(parameters, context: context())
            Issue.record("\(action.name) succeeded, a failure was expected")
            return nil
        } catch {
            return error
        }
    }

    static func table(_ output: ActionOutput) -> OutputTable? {
        for detail in output.details { if case .table(let table) = detail { return table } }
        return nil
    }

    static func action<A: Action>(_ type: A.Type, _ target: PostgresTarget) -> A {
        PostgresActions.makeAll(target: target, pgbouncer: nil).compactMap { $0 as? A }.first!
    }
}
