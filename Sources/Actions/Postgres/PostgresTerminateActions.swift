import BotCore
import PostgresDriver

/// A backend `db terminate` may end: a client backend (never replication, autovacuum or other
/// background processes, never the bot's own sessions) whose statement has run, or whose transaction
/// has been open (idle in transaction), longer than N minutes. All databases of the server.
struct TerminationCandidate: Sendable {
    let pid: Int32
    let user: String
    let database: String
    let state: String
    let seconds: Double?
    let query: String?
    /// `backend_start` as the server renders it: with the pid, the identity of one session (a pid can be reused).
    let started: String

    var identity: String { "\(pid)@\(started)" }

    var row: [String] {
        [String(pid), user, database, state, PostgresFormat.duration(seconds: seconds), PostgresFormat.query(query)]
    }

    static let columns = ["pid", "user", "database", "state", "duration", "query"]

    static func measure(_ target: PostgresTarget, minutes: Int) async throws(ActionFailure) -> [TerminationCandidate] {
        let client = try target.connected()
        let own = await client.backendPIDs()
        do {
            let result = try await client.query("""
                WITH s AS (
                    SELECT pid, usename, datname, state, query, backend_start::text AS started,
                           CASE WHEN state LIKE 'idle in transaction%' THEN coalesce(xact_start, state_change)
                                ELSE query_start END AS since
                    FROM pg_stat_activity
                    WHERE backend_type = 'client backend' AND state IS NOT NULL AND state <> 'idle'
                      AND pid <> pg_backend_pid() AND NOT (pid = ANY($2::int4[]))
                      AND application_name IS DISTINCT FROM $3
                )
                SELECT pid, usename, datname, state, extract(epoch FROM now() - since)::float8 AS seconds, query, started
                FROM s WHERE since < now() - make_interval(mins => $1::int)
                ORDER BY since, pid
                """, [String(minutes), "{" + own.map(String.init).joined(separator: ",") + "}", client.applicationName])
            return result.rows.compactMap { row in
                guard let pid = row["pid"].int.flatMap(Int32.init(exactly:)) else { return nil }
                return TerminationCandidate(
                    pid: pid, user: row["usename"].string ?? "", database: row["datname"].string ?? "",
                    state: row["state"].string ?? "", seconds: row["seconds"].double, query: row["query"].string,
                    started: row["started"].string ?? "")
            }
        } catch {
            throw target.failure(error, doing: "list backends older than \(minutes) min")
        }
    }
}

/// `postgres.terminate_preview` (read-only), parameter `minutes` (default 10): the backends
/// `postgres.terminate` would end; preview fact `backends` = their pids (approval binds to that set).
package struct PostgresTerminatePreview: Action {
    package let name = "postgres.terminate_preview"
    package let readOnly = true
    let target: PostgresTarget

    package init(target: PostgresTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let minutes = try PostgresParameter.int(parameters, "minutes", default: 10, in: 0...10_080, for: name)
        let candidates = try await TerminationCandidate.measure(target, minutes: minutes)
        let pids = candidates.map { String($0.pid) }
        let scope = "(all databases; the bot's own sessions, replication and background workers are never included)"
        let summary = candidates.isEmpty
            ? "No backend on `\(target.shown)` is older than \(minutes) min: nothing would be terminated \(scope)."
            : "\(PostgresFormat.count(candidates.count, "backend")) older than \(minutes) min on `\(target.shown)` "
                + "would be terminated: pid \(pids.joined(separator: ", ")) \(scope)."
        return ActionOutput(
            summary: summary, facts: ["count": String(pids.count), "pids": pids.joined(separator: ",")],
            previewFacts: [
                PreviewFact(name: "backends", value: .set(pids)),
                // pid + backend_start: a pid reused by a new session before the approval runs voids the plan.
                PreviewFact(name: "sessions", value: .set(candidates.map(\.identity))),
            ],
            details: candidates.isEmpty ? [] : [.table(OutputTable(
                title: "Backends to terminate", columns: TerminationCandidate.columns, rows: candidates.map(\.row)))])
    }
}

/// `postgres.terminate` (destructive), parameter `minutes` (default 10): `pg_terminate_backend` for
/// the backends that still match AND were approved (preview fact `backends`). Approved pids that no
/// longer match are skipped; new matches are left alone. With no approved facts at all (break-glass)
/// it terminates the current matches; an approved plan without `backends` terminates nothing.
package struct PostgresTerminate: Action {
    package let name = "postgres.terminate"
    package let readOnly = false
    let target: PostgresTarget

    package init(target: PostgresTarget) { self.target = target }

    package func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput {
        let minutes = try PostgresParameter.int(parameters, "minutes", default: 10, in: 0...10_080, for: name)
        let client = try target.connected()
        let candidates = try await TerminationCandidate.measure(target, minutes: minutes)
        let current = Set(candidates.map { String($0.pid) })
        var chosen = candidates
        var gone: [String] = []
        var unapproved: [String] = []
        switch context.approvedFact("backends") {
        case .set(let approved)?:
            let approvedSet = Set(approved)
            chosen = candidates.filter { approvedSet.contains(String($0.pid)) }
            if case .set(let sessions)? = context.approvedFact("sessions") {
                let approvedSessions = Set(sessions)
                chosen = chosen.filter { approvedSessions.contains($0.identity) }  // same pid, same session
            }
            gone = approved.filter { !current.contains($0) }.sorted()
            unapproved = candidates.map { String($0.pid) }.filter { !approvedSet.contains($0) }
        case nil where context.authorization == .breakGlass:
            context.logger.warning("terminating backends without an approved list (break-glass)", metadata: ["postgres.minutes": "\(minutes)"])
        case nil where context.authorization == .direct:
            throw ActionFailure(dependency: "PostgreSQL", message: "terminating backends needs an approved list of them "
                                + "(a destructive command with postgres.terminate_preview) or break-glass: nothing was terminated")
        default:
            // An approved plan that did not measure `backends` (a preview other than postgres.terminate_preview) binds nothing.
            throw ActionFailure(dependency: "PostgreSQL", message: "the approved plan has no list of backends "
                                + "(its preview must be postgres.terminate_preview): nothing was terminated")
        }

        let own = Set(await client.backendPIDs())
        var terminated: [String] = []
        var skipped = gone
        var rows: [[String]] = []
        var refusal: PostgresError?
        for candidate in chosen {
            let pid = String(candidate.pid)
            guard !own.contains(candidate.pid) else { skipped.append(pid); continue }
            let outcome: String
            do {
                // Still the same session (pid + start), still a client backend, never the bot: checked in the same statement.
                let result = try await client.query("""
                    SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
                    WHERE pid = $1::int4 AND backend_start::text = $2 AND backend_type = 'client backend'
                      AND application_name IS DISTINCT FROM $3
                    """, [pid, candidate.started, client.applicationName])
                if result.rows.first?["terminated"] == .bool(true) {
                    terminated.append(pid)
                    outcome = "terminated"
                } else {
                    skipped.append(pid)
                    outcome = "skipped (already gone)"
                }
            } catch {
                if error.isConnectionFailure { throw target.failure(error, doing: "terminate backend \(pid)") }
                refusal = refusal ?? error
                skipped.append(pid)
                outcome = "failed: \(error.message)"
            }
            rows.append(candidate.row + [outcome])
        }
        rows += gone.map { [$0, "", "", "", "", "", "skipped (no longer matches)"] }
        if terminated.isEmpty, let refusal { throw target.failure(refusal, doing: "terminate backends") }
        context.logger.notice("terminated postgres backends", metadata: [
            "postgres.target": "\(target.shown)", "postgres.terminated": "\(terminated.joined(separator: ","))",
            "postgres.skipped": "\(skipped.joined(separator: ","))",
        ])

        var summary = "Terminated \(PostgresFormat.count(terminated.count, "backend"))"
        summary += terminated.isEmpty ? "" : " (pid \(terminated.joined(separator: ", ")))"
        summary += " on `\(target.shown)`"
        if !skipped.isEmpty { summary += "; skipped \(skipped.count) (pid \(skipped.joined(separator: ", ")))" }
        if !unapproved.isEmpty {
            summary += "; left alone \(PostgresFormat.count(unapproved.count, "new backend")) not in the approved list (pid \(unapproved.joined(separator: ", ")))"
        }
        return ActionOutput(
            summary: summary + ".",
            facts: ["terminated": String(terminated.count), "skipped": String(skipped.count),
                    "terminated_pids": terminated.joined(separator: ","), "skipped_pids": skipped.joined(separator: ","),
                    "not_approved_pids": unapproved.joined(separator: ",")],
            details: rows.isEmpty ? [] : [.table(OutputTable(
                title: "Backends", columns: TerminationCandidate.columns + ["outcome"], rows: rows))])
    }
}
