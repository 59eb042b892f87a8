import Foundation
import PostgresDriver
import Synchronization

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

    /// Stops the server at once (`pg_ctl stop -m immediate`) and deletes its directory. Idempotent.
    package func stop() async {
        guard !stopped.withLock({ let was = $0; $0 = true; return was }) else { return }
        if FileManager.default.fileExists(atPath: "\(dataDirectory)/postmaster.pid") {
            _ = try? await Self.run(["\(Self.binaries)/pg_ctl", "stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "10"],
                                    log: directory.appendingPathComponent("stop.log"))
        }
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: pidFile)
    }

    private func launch() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"],
                                              ofItemAtPath: directory.path)
        let initLog = directory.appendingPathComponent("initdb.log")
        let initialized = try await Self.run(
            ["\(Self.binaries)/initdb", "-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--no-sync", "--no-instructions"], log: initLog)
        guard initialized else { throw Failure(description: "initdb failed: \(Self.read(initLog).suffix(800))") }

        let options = [
            "-p \(port)", "-c listen_addresses=127.0.0.1", "-c unix_socket_directories=\(directory.path)",
            "-c shared_preload_libraries=pg_stat_statements", "-c fsync=off", "-c synchronous_commit=off",
            "-c full_page_writes=off", "-c max_connections=40", "-c shared_buffers=16MB", "-c log_min_messages=warning",
        ].joined(separator: " ")
        let serverLog = directory.appendingPathComponent("server.log")
        let started = try await Self.run(
            ["\(Self.binaries)/pg_ctl", "start", "-D", dataDirectory, "-w", "-t", "20", "-l", serverLog.path, "-o", options],
            log: directory.appendingPathComponent("pg_ctl.log"))
        try recordPID()
        guard started else { throw Failure(description: "postgres did not start on port \(port): \(Self.read(serverLog).suffix(800))") }

        // Ready once *this* server answers (two suites may have picked the same "free" port).
        let admin = PostgresClient(url: try PostgresURL(parsing: url(database: "postgres")), poolSize: 1)
        do {
            let answering = try await admin.query("SHOW data_directory").rows.first?["data_directory"].string
            guard answering == dataDirectory else { throw Failure(description: "port \(port) is answered by another server") }
            _ = try await admin.query("CREATE DATABASE \(Self.database)")
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
    }

    /// `PID\nDIRECTORY\n` of the postmaster, for the orphan cleanup of `scripts/run-swift-tests.sh`.
    private func recordPID() throws {
        guard let text = try? String(contentsOfFile: "\(dataDirectory)/postmaster.pid", encoding: .utf8),
              let pid = text.split(separator: "\n").first else { return }
        try FileManager.default.createDirectory(at: Self.pidDirectory, withIntermediateDirectories: true)
        try "\(pid)\n\(directory.path)\n".write(to: pidFile, atomically: true, encoding: .utf8)
    }

    /// Runs a PostgreSQL tool as the `postgres` user; true when it exited 0. Output goes to `log`.
    private static func run(_ arguments: [String], log: URL) async throws -> Bool {
        FileManager.default.createFile(atPath: log.path, contents: nil)
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
