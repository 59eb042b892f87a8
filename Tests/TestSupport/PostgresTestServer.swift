import Foundation
import PostgresDriver
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL 15 on a free loopback port: `initdb` into a fresh temp dir, started with
/// `pg_ctl` as the `postgres` user (PostgreSQL refuses to run as root), trust authentication,
/// `pg_stat_statements` preloaded, database `hybrid_ai` created. Stopped with `stop()`; a run that
/// crashed leaves a pid file that `scripts/run-swift-tests.sh` uses to kill the orphan.
package final class PostgresTestServer: Sendable {
    package static let binaries = "/usr/lib/postgresql/15/bin"
    package static let database = "hybrid_ai"

    /// The server of the enclosing `.postgresServer` suite (see ``PostgresServerTrait``).
    @TaskLocal package static var current: PostgresTestServer?

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    package let port: Int
    let directory: URL
    private let stopped = Mutex(false)
    private let process = Mutex<Process?>(nil)

    /// `postgresql://postgres@127.0.0.1:PORT/hybrid_ai` (trust authentication, no password).
    package var url: String { url(database: Self.database) }

    package func url(database: String) -> String { "postgresql://postgres@127.0.0.1:\(port)/\(database)" }

    private var dataDirectory: String { directory.appendingPathComponent("data").path }
    private var pidFile: URL { Self.pidDirectory.appendingPathComponent("\(port).pid") }
    private static var pidDirectory: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-test-postgres")
    }

    private init(port: Int, directory: URL) {
        self.port = port
        self.directory = directory
    }

    /// The suite's server; fails the test with a clear message outside a `.postgresServer` suite.
    package static func shared() throws -> PostgresTestServer {
        guard let current else { throw Failure(description: "no PostgreSQL test server: add the `.postgresServer` trait to the suite") }
        return current
    }

    /// Starts a server (retrying on another port if the chosen one was taken meanwhile).
    package static func start() async throws -> PostgresTestServer {
        guard FileManager.default.isExecutableFile(atPath: "\(binaries)/pg_ctl") else {
            throw Failure(description: "\(binaries)/pg_ctl is missing: run `make test` (it installs postgresql)")
        }
        var lastError: any Error = Failure(description: "postgres did not start")
        for _ in 0..<4 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-pg-\(UUID().uuidString)")
            let server = PostgresTestServer(port: try RedisTestServer.freePort(), directory: directory)
            do {
                try await server.launch()
                return server
            } catch {
                lastError = error
                await server.stop()
            }
        }
        throw lastError
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`, SIGKILL if that fails) and deletes its directory. Idempotent.
    package func stop() async {
        guard !stopped.withLock({ let was = $0; $0 = true; return was }) else { return }
        if let process = process.withLock({ $0 }), process.isRunning {
            _ = try? await Self.run(["\(Self.binaries)/pg_ctl", "stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "10"],
                                    log: directory.appendingPathComponent("stop.log"))
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            if process.isRunning, let pid = postmasterPID() { kill(pid, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: pidFile)
    }

    /// initdb, then `postgres` as a direct child (through runuser): not `pg_ctl start`, whose daemonized
    /// postmaster would keep Foundation's child-watch socket open, so `Process` never saw pg_ctl exit.
    private func launch() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"],
                                              ofItemAtPath: directory.path)
        try recordPID()  // the directory alone first: a run killed from here on still gets it removed
        let initLog = directory.appendingPathComponent("initdb.log")
        let initialized = try await Self.run(
            ["\(Self.binaries)/initdb", "-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--no-sync", "--no-instructions"], log: initLog)
        guard initialized else { throw Failure(description: "initdb failed: \(Self.read(initLog).suffix(800))") }

        let serverLog = directory.appendingPathComponent("server.log")
        guard FileManager.default.createFile(atPath: serverLog.path, contents: nil) else {
            throw Failure(description: "cannot create \(serverLog.path)")
        }
        let log = try FileHandle(forWritingTo: serverLog)
        defer { try? log.close() }
        let settings = [
            "listen_addresses=127.0.0.1", "unix_socket_directories=\(directory.path)",
            "shared_preload_libraries=pg_stat_statements", "fsync=off", "synchronous_commit=off", "full_page_writes=off",
            "max_connections=40", "shared_buffers=16MB", "log_min_messages=warning",
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", "postgres", "--", "\(Self.binaries)/postgres", "-D", dataDirectory, "-p", String(port)]
            + settings.flatMap { ["-c", $0] }
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process.withLock { $0 = process }

        // Ready once *this* server answers (two suites may have picked the same "free" port).
        let admin = PostgresClient(url: try PostgresURL(parsing: url(database: "postgres")), poolSize: 1, connectTimeout: .seconds(2))
        do {
            try await waitUntilAnswering(admin, process: process, log: serverLog)
            _ = try await admin.query("CREATE DATABASE \(Self.database)")
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
    }

    private func waitUntilAnswering(_ admin: PostgresClient, process: Process, log: URL) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        var recorded = false
        while true {
            if !recorded, postmasterPID() != nil {  // written early in startup, long before it answers
                try recordPID()
                recorded = true
            }
            guard process.isRunning else {
                throw Failure(description: "postgres exited on port \(port): \(Self.read(log).suffix(800))")
            }
            if let answer = try? await admin.query("SHOW data_directory").rows.first?["data_directory"].string {
                guard answer == dataDirectory else { throw Failure(description: "port \(port) is answered by another server") }
                return
            }
            guard ContinuousClock.now < deadline else { throw Failure(description: "postgres on port \(port) did not answer within 20s") }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    private func postmasterPID() -> pid_t? {
        guard let text = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first else { return nil }
        return pid_t(first)
    }

    /// `PID\nDIRECTORY\n` of the postmaster, for the orphan cleanup of `scripts/run-swift-tests.sh`.
    private func recordPID() throws {
        try FileManager.default.createDirectory(at: Self.pidDirectory, withIntermediateDirectories: true)
        try "\(postmasterPID().map(String.init) ?? "")\n\(directory.path)\n".write(to: pidFile, atomically: true, encoding: .utf8)
    }

    /// Runs a PostgreSQL tool as the `postgres` user; true when it exited 0. Output goes to `log`.
    private static func run(_ arguments: [String], log: URL) async throws -> Bool {
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw Failure(description: "cannot create \(log.path)") }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", "postgres", "--"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        return process.terminationStatus == 0
    }

    private static func read(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }
}
