import Actions
import BotCore
import PostgresDriver
import TestSupport
import Testing

/// `postgres.connections`, `long_queries`, `locks`, `terminate_preview`, `terminate` against a real
/// PostgreSQL. Serialized: every test looks at server-wide activity.
@Suite(.postgresServer, .serialized) struct PostgresActivityActionTests {
    @Test func connectionsByStateAgainstMaxConnections() async throws {
        let target = try PostgresFixture.target()
        let observer = try PostgresFixture.session("observer")
        let idleInTransaction = try PostgresFixture.session("tx-holder")
        _ = try await idleInTransaction.query("BEGIN")
        _ = try await observer.query("SELECT 1")

        let output = try await PostgresFixture.run(PostgresConnections(target: target))
        let expected = try #require(try await observer.query("""
            SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'
            """).rows.first?["n"].int)
        #expect(output.facts["total"] == String(expected))
        #expect(output.facts["max_connections"] == "40")
        #expect(output.facts["state.idle_in_transaction"] == "1")
        #expect(output.facts["state.active"] == "1")  // the action's own query
        #expect(output.facts["state.idle"].flatMap(Int.init) ?? 0 >= 1)
        let table = try #require(PostgresFixture.table(output))
        #expect(table.columns == ["state", "count"])
        #expect(table.rows.contains(["idle in transaction", "1"]))
        #expect(output.summary.contains("of 40 connections"))
        let count = try await PostgresFixture.run(PostgresConnectionCount(target: target))
        #expect(count.facts["total"] == String(expected))

        _ = try await idleInTransaction.query("ROLLBACK")
        try await PostgresFixture.closeAndWait([idleInTransaction, target.client!], observer: observer)
        await observer.close()
    }

    @Test func longQueriesShowASleepingBackend() async throws {
        let target = try PostgresFixture.target()
        let observer = try PostgresFixture.session("observer")
        let sleeper = try PostgresFixture.session("sleeper")
        let sleeperPID = try await PostgresFixture.pid(of: sleeper)
        let sleeping = Task { try await sleeper.query("SELECT pg_sleep(30)") }
        try await PostgresFixture.waitUntilActive(sleeperPID, observer: observer)

        let action = PostgresLongQueries(target: target)
        let found = try await PostgresFixture.run(action, ["minutes": .int(0)])
        #expect(found.facts["pids"] == String(sleeperPID))
        let table = try #require(PostgresFixture.table(found))
        #expect(table.columns == ["pid", "user", "database", "state", "duration", "query"])
        #expect(table.rows.first?[0] == String(sleeperPID))
        #expect(table.rows.first?[3] == "active")
        #expect(table.rows.first?[5] == "SELECT pg_sleep(30)")
        let none = try await PostgresFixture.run(action, ["minutes": .int(5)])
        #expect(none.facts["count"] == "0")
        #expect(none.summary.contains("No query has been running longer than 5 min"))
        let refused = await PostgresFixture.failure(action, ["minutes": .string("five")])
        #expect(refused?.message.contains("`minutes` must be a whole number") == true)

        _ = try await observer.query("SELECT pg_cancel_backend($1::int4)", [String(sleeperPID)])
        await #expect { try await sleeping.value } throws: { ($0 as? PostgresError)?.sqlState == "57014" }
        try await PostgresFixture.closeAndWait([sleeper, target.client!], observer: observer)
        await observer.close()
    }

    @Test func locksShowTheWaiterAndItsBlocker() async throws {
        let target = try PostgresFixture.target()
        let observer = try PostgresFixture.session("observer")
        _ = try await observer.query("CREATE TABLE lock_target (id int PRIMARY KEY, v int)")
        _ = try await observer.query("INSERT INTO lock_target VALUES (1, 0)")
        let holder = try PostgresFixture.session("holder")
        let waiter = try PostgresFixture.session("waiter")
        let holderPID = try await PostgresFixture.pid(of: holder)
        let waiterPID = try await PostgresFixture.pid(of: waiter)
        _ = try await holder.query("BEGIN")
        _ = try await holder.query("UPDATE lock_target SET v = 1 WHERE id = 1")
        let waiting = Task { try await waiter.query("UPDATE lock_target SET v = 2 WHERE id = 1") }
        try await PostgresFixture.waitUntilActive(waiterPID, observer: observer, waitingForLock: true)

        let output = try await PostgresFixture.run(PostgresLocks(target: target))
        #expect(output.facts["blocking_pids"] == String(holderPID))
        #expect(output.facts["waiting"] == "1")
        let table = try #require(PostgresFixture.table(output))
        let row = try #require(table.rows.first)
        #expect(row[0] == String(waiterPID))
        #expect(row[1] == String(holderPID))
        #expect(row[5] == "UPDATE lock_target SET v = 2 WHERE id = 1")
        #expect(row[6] == "UPDATE lock_target SET v = 1 WHERE id = 1")
        #expect(output.summary.contains("blocked by pid \(holderPID)"))

        _ = try await holder.query("ROLLBACK")
        _ = try await waiting.value
        let after = try await PostgresFixture.run(PostgresLocks(target: target))
        #expect(after.facts["waiting"] == "0")
        _ = try await observer.query("DROP TABLE lock_target")
        try await PostgresFixture.closeAndWait([holder, waiter, target.client!], observer: observer)
        await observer.close()
    }

    @Test func terminateEndsOnlyApprovedBackendsAndNeverTheBot() async throws {
        let target = try PostgresFixture.target()
        let botClient = try #require(target.client)
        let observer = try PostgresFixture.session("observer")
        let victim = try PostgresFixture.session("victim")
        let twin = try PostgresFixture.session("hybridbot")  // another session of the bot, by name
        let victimPID = try await PostgresFixture.pid(of: victim)
        let twinPID = try await PostgresFixture.pid(of: twin)
        // DO, not SELECT: the driver resends a read-only SELECT once after its session broke.
        let victimSleep = Task { try await victim.query(Self.sleepBlock) }
        let twinSleep = Task { try await twin.query("SELECT pg_sleep(30)") }
        // The bot's own pool is busy too: one session sleeps (renamed, so only its pid protects it) while the other measures.
        let botSleep = Task { try await botClient.query(Self.botSleep) }
        try await PostgresFixture.waitUntilActive(victimPID, observer: observer)
        try await PostgresFixture.waitUntilActive(twinPID, observer: observer)
        try await waitForBusyBotSession(botClient, observer: observer)

        let preview = try await PostgresFixture.run(PostgresTerminatePreview(target: target), ["minutes": .int(0)])
        #expect(preview.previewFacts.first == PreviewFact(name: "backends", value: .set([String(victimPID)])))
        guard case .set(let sessions)? = preview.previewFacts.last?.value else { Issue.record("no sessions fact"); return }
        #expect(sessions.count == 1 && sessions[0].hasPrefix("\(victimPID)@"))
        let previewTable = try #require(PostgresFixture.table(preview))
        #expect(previewTable.rows.map(\.first) == [String(victimPID)])
        #expect(previewTable.rows.first?.last == Self.sleepBlock)
        #expect(preview.summary.contains("all databases"))
        let none = try await PostgresFixture.run(PostgresTerminatePreview(target: target), ["minutes": .int(10)])
        #expect(none.previewFacts.first == PreviewFact(name: "backends", value: .set([])))

        // A backend that appears after the approval is not in the approved set.
        let latecomer = try PostgresFixture.session("latecomer")
        let latecomerPID = try await PostgresFixture.pid(of: latecomer)
        let latecomerSleep = Task { try await latecomer.query(Self.sleepBlock) }
        try await PostgresFixture.waitUntilActive(latecomerPID, observer: observer)

        let approved = [PreviewFact(name: "backends", value: .set([String(victimPID), "999999"]))]
        let output = try await PostgresFixture.run(PostgresTerminate(target: target), ["minutes": .int(0)], approved: approved)
        #expect(output.facts["terminated"] == "1")
        #expect(output.facts["terminated_pids"] == String(victimPID))
        #expect(output.facts["skipped"] == "1")
        #expect(output.facts["skipped_pids"] == "999999")
        #expect(output.facts["not_approved_pids"] == String(latecomerPID))
        #expect(output.summary.hasPrefix("Terminated 1 backend (pid \(victimPID))"))
        await #expect { try await victimSleep.value } throws: { ($0 as? PostgresError)?.isConnectionFailure == true }

        let alive = try await observer.query("SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int4[]) ORDER BY pid",
                                             ["{\(latecomerPID),\(twinPID)}"]).rows.compactMap { $0["pid"].int }
        #expect(alive == [latecomerPID, twinPID].sorted())
        _ = try await botSleep.value  // the bot's busy session was never touched
        let count = try await PostgresFixture.run(PostgresConnectionCount(target: target))  // and the bot still works
        #expect(count.facts["total"] != nil)

        // Neither approved nor break-glass (a plugin that forgot `destructive: true`): nothing is terminated.
        await #expect(throws: ActionFailure.self) {
            try await PostgresFixture.run(PostgresTerminate(target: target), ["minutes": .int(0)])
        }
        // Break-glass (no approved set): the current candidates, i.e. the latecomer, never the bot's twin.
        let breakGlass = try await PostgresFixture.run(PostgresTerminate(target: target), ["minutes": .int(0)], authorization: .breakGlass)
        #expect(breakGlass.facts["terminated_pids"] == String(latecomerPID))
        await #expect { try await latecomerSleep.value } throws: { ($0 as? PostgresError)?.isConnectionFailure == true }

        _ = try await observer.query("SELECT pg_cancel_backend($1::int4)", [String(twinPID)])
        _ = try? await twinSleep.value
        try await PostgresFixture.closeAndWait([victim, twin, latecomer, botClient], observer: observer)
        await observer.close()
    }

    @Test func anApprovedPlanWithoutBackendsTerminatesNothing() async throws {
        let target = try PostgresFixture.target()
        let observer = try PostgresFixture.session("observer")
        let victim = try PostgresFixture.session("victim")
        let victimPID = try await PostgresFixture.pid(of: victim)
        let victimSleep = Task { try await victim.query(Self.sleepBlock) }
        try await PostgresFixture.waitUntilActive(victimPID, observer: observer)

        let wrongPlan = [PreviewFact(name: "keys", value: .count(3, tolerance: 0.1))]
        do {
            _ = try await PostgresTerminate(target: target).run(["minutes": .int(0)], context: PostgresFixture.context(approved: wrongPlan))
            Issue.record("terminate ran without an approved list of backends")
        } catch {
            #expect(error.message.contains("nothing was terminated"))
        }
        // The same pid but another session than the approvers saw (the pid was reused): left alone.
        let reused = [
            PreviewFact(name: "backends", value: .set([String(victimPID)])),
            PreviewFact(name: "sessions", value: .set(["\(victimPID)@1999-01-01 00:00:00+00"])),
        ]
        let output = try await PostgresFixture.run(PostgresTerminate(target: target), ["minutes": .int(0)], approved: reused)
        #expect(output.facts["terminated"] == "0")
        let alive = try await observer.query("SELECT state FROM pg_stat_activity WHERE pid = $1::int4", [String(victimPID)]).rows
        #expect(alive.first?["state"] == .text("active"))

        _ = try await observer.query("SELECT pg_cancel_backend($1::int4)", [String(victimPID)])
        _ = try? await victimSleep.value
        try await PostgresFixture.closeAndWait([victim, target.client!], observer: observer)
        await observer.close()
    }

    static let botSleep = "SELECT set_config('application_name', 'renamed', false), pg_sleep(1.5)"
    static let sleepBlock = "DO $$BEGIN PERFORM pg_sleep(30); END$$"

    /// Waits until one of the bot client's sessions runs ``botSleep``.
    private func waitForBusyBotSession(_ client: PostgresClient, observer: PostgresClient) async throws {
        for _ in 0..<300 {
            let rows = try await observer.query("""
                SELECT 1 FROM pg_stat_activity WHERE application_name = 'renamed' AND state = 'active' AND query = $1
                """, [Self.botSleep]).rows
            if !rows.isEmpty { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the bot's session did not start sleeping")
    }
}
