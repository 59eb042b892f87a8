import Testing

/// One PostgreSQL server for a whole suite: started before its first test, stopped after its last,
/// reachable in the tests as ``PostgresTestServer/shared()``. Combine with `.serialized` when tests
/// look at server-wide state (pg_stat_activity, locks).
package struct PostgresServerTrait: SuiteTrait, TestScoping {
    package var isRecursive: Bool { false }

    package func provideScope(for test: Test, testCase: Test.Case?,
                              performing function: @Sendable () async throws -> Void) async throws {
        let server = try await PostgresTestServer.start()
        do {
            try await PostgresTestServer.$current.withValue(server) { try await function() }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }
}

extension Trait where Self == PostgresServerTrait {
    /// Starts a throwaway PostgreSQL for the suite (see ``PostgresTestServer``).
    package static var postgresServer: Self { PostgresServerTrait() }
}
