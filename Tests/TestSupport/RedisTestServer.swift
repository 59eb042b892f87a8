import Foundation
import RedisDriver
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway `redis-server` on a free loopback port, in a fresh temp dir, no persistence.
package final class RedisTestServer {
    package static let executable = "/usr/bin/redis-server"

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    package let port: Int
    package let password: String?
    let directory: URL
    private var process: Process?

    /// URL for a client that knows the server's password (if any).
    package var url: RedisURL { RedisURL(host: "127.0.0.1", port: port, password: password) }

    private init(port: Int, password: String?, directory: URL) {
        self.port = port
        self.password = password
        self.directory = directory
    }

    /// Starts a server, runs `body` with its URL, and always stops the server afterwards.
    package static func with(password: String? = nil, _ body: (RedisURL) async throws -> Void) async throws {
        try await withServer(password: password) { server in try await body(server.url) }
    }

    /// Like ``with(password:_:)`` but hands over the server itself (for restarts).
    package static func withServer(password: String? = nil, _ body: (RedisTestServer) async throws -> Void) async throws {
        let server = try await start(password: password)
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// Starts a server on a free port (retrying with another port if the chosen one got taken).
    package static func start(password: String? = nil) async throws -> RedisTestServer {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "\(executable) is missing: run `make test` (it installs redis-server)")
        }
        var lastError: any Error = Failure(description: "redis-server did not start")
        for _ in 0..<5 {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("redis-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let server = RedisTestServer(port: try freePort(), password: password, directory: directory)
            do {
                try await server.launch()
                return server
            } catch {
                lastError = error
                await server.stop()
                guard server.log().contains("Address already in use") else { throw error }
            }
        }
        throw lastError
    }

    /// Terminates the server, keeps the port and directory, and starts it again (empty data).
    package func restart() async throws {
        await terminate()
        try await launch()
    }

    /// Terminates the server and deletes its directory. Idempotent.
    package func stop() async {
        await terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    private func launch() async throws {
        let logURL = directory.appendingPathComponent("redis.log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw Failure(description: "cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        // The pid file lets `make test` kill servers orphaned by a crashed or killed test run (they ignore
        // SIGTERM, see `terminate()`); redis-server removes it on a clean SHUTDOWN.
        let pids = FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-test-redis")
        try FileManager.default.createDirectory(at: pids, withIntermediateDirectories: true)
        var arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                         "--dir", directory.path, "--pidfile", pids.appendingPathComponent("\(port).pid").path]
        if let password { arguments += ["--requirepass", password] }
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process

        // Ready once *this* process answers: two tests can pick the same "free" port at once, and the loser's
        // server exits while a probe would happily talk to the winner's.
        let probe = RedisClient(url: url, timeout: .milliseconds(250))
        let outcome = await waitUntilAnswering(probe, process: process)
        await probe.close()
        if let outcome { throw Failure(description: outcome) }
    }

    /// nil once the server answers PING, else why it did not.
    private func waitUntilAnswering(_ probe: RedisClient, process: Process) async -> String? {
        // Generous: a loaded CI machine (2 cores, parallel tests) can take seconds to start a server.
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { return "redis-server exited on port \(port): \(log().suffix(500))" }
            if let info = try? await probe.info("server"), info["process_id"] == String(process.processIdentifier) {
                return nil
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return "redis-server on port \(port) did not answer PING within 20s"
    }

    /// `SHUTDOWN NOSAVE`, then SIGKILL if the server is still running after 3 s. Not SIGTERM: the
    /// child inherits the signal mask of the spawning thread, and Swift's concurrency threads block
    /// SIGTERM, so `Process.terminate()` would never be delivered.
    private func terminate() async {
        guard let process, process.isRunning else { return }
        let admin = RedisClient(url: url, timeout: .seconds(1))
        _ = try? await admin.command(["SHUTDOWN", "NOSAVE"])  // the server closes the connection
        await admin.close()
        let deadline = ContinuousClock.now + .seconds(3)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        self.process = nil
    }

    private func log() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
    }

    /// A loopback port nobody listens on right now (bind to port 0, read it, close).
    package static func freePort() throws -> Int {
        let socket = try RedisTestSocket()
        defer { socket.close() }
        return socket.port
    }
}

/// A listening loopback socket that never accepts: connects succeed (kernel backlog) but nothing
/// is ever answered — a server that hangs.
package final class RedisTestSocket {
    private let descriptor: Int32
    package let port: Int

    package init(listen: Bool = false) throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RedisTestServer.Failure(description: "socket() failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard bound == 0, named == 0, !listen || Glibc.listen(descriptor, 16) == 0 else {
            Glibc.close(descriptor)
            throw RedisTestServer.Failure(description: "bind/listen on 127.0.0.1 failed: \(errno)")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    package func close() {
        Glibc.close(descriptor)
    }
}
