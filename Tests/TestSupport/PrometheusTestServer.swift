import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway Prometheus (Debian package `prometheus`, `/usr/bin/prometheus`) on a free loopback port, its TSDB in a
/// fresh temp dir, scraping one static exporter every second: a ``ScriptedHTTPServer`` answering `/metrics` with a
/// fixed text exposition. Its only listener is `127.0.0.1:PORT` (UI and API). Stopped with SIGKILL; a run that crashed
/// leaves a pid file under `$TMPDIR/hybridbot-test-prometheus/` that `scripts/run-swift-tests.sh` uses to kill the orphan.
///
/// Prometheus answers `/-/ready` in well under a second, but applies new scrape targets at most every 5 s (discovery
/// and scrape manager throttles, not configurable in 2.42), so the first scrape lands about 5–6 s after the start:
/// wait for `up == 1` before querying (see `PrometheusRealServerTests`).
package final class PrometheusTestServer: Sendable {
    package static let executable = "/usr/bin/prometheus"

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    package let port: Int
    /// `host:port` of the static exporter Prometheus scrapes (job `exporter`).
    package let target: String
    let directory: URL
    private let stopped = Mutex(false)
    private let process = Mutex<Process?>(nil)

    /// `http://127.0.0.1:PORT`, for `PrometheusClient`.
    package var url: String { "http://127.0.0.1:\(port)" }

    private var storagePath: String { directory.appendingPathComponent("data").path }
    private var logURL: URL { directory.appendingPathComponent("prometheus.log") }
    private var pidFile: URL { Self.pidDirectory.appendingPathComponent("\(port).pid") }
    private static var pidDirectory: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-test-prometheus")
    }

    private init(port: Int, target: String, directory: URL) {
        self.port = port
        self.target = target
        self.directory = directory
    }

    /// Serves `metrics` (Prometheus text format) on a scripted exporter, starts Prometheus scraping it every second,
    /// runs `body` with the server, and always stops both afterwards.
    package static func with<T: Sendable>(
        exporting metrics: String, _ body: @escaping @Sendable (PrometheusTestServer) async throws -> T
    ) async throws -> T {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "\(executable) is missing: run `make test` (it installs the Debian package prometheus)")
        }
        return try await ScriptedHTTPServer.run({ request in
            request.path == "/metrics"
                ? ScriptedResponse(headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: metrics)
                : ScriptedResponse(status: 404, headers: ["Content-Type": "text/plain"], body: "only /metrics here\n")
        }) { exporter, _ in
            let server = try await start(scraping: String(exporter.dropFirst("http://".count)))
            do {
                let result = try await body(server)
                await server.stop()
                return result
            } catch {
                await server.stop()
                throw error
            }
        }
    }

    /// Starts a server scraping `target` (`host:port`), retrying on another port if the chosen one was taken meanwhile.
    package static func start(scraping target: String) async throws -> PrometheusTestServer {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "\(executable) is missing: run `make test` (it installs the Debian package prometheus)")
        }
        var lastError: any Error = Failure(description: "prometheus did not start")
        for _ in 0..<4 {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hybridbot-prometheus-\(UUID().uuidString)")
            let server = PrometheusTestServer(port: try RedisTestServer.freePort(), target: target, directory: directory)
            do {
                try await server.launch()
                return server
            } catch {
                lastError = error
                await server.stop()
                guard server.log().contains("address already in use") else { throw error }
            }
        }
        throw lastError
    }

    /// Kills the server (SIGKILL: Swift's concurrency threads block SIGTERM, and a child inherits that mask) and
    /// deletes its directory and pid file. Idempotent.
    package func stop() async {
        guard !stopped.withLock({ let was = $0; $0 = true; return was }) else { return }
        if let process = process.withLock({ $0 }), process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        }
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: pidFile)
    }

    private func launch() async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: exporter
                static_configs:
                  - targets: ['\(target)']

            """.write(to: config, atomically: true, encoding: .utf8)
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw Failure(description: "cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(storagePath)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=info",
        ]
        process.currentDirectoryURL = directory
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process.withLock { $0 = process }
        try recordPID(process.processIdentifier)
        try await waitUntilReady(process)
    }

    /// Ready once `/-/ready` says so and the answering server is *this* one (two tests may pick the same "free"
    /// port at once; the loser exits with "address already in use", but a probe would happily talk to the winner).
    private func waitUntilReady(_ process: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            guard process.isRunning else {
                throw Failure(description: "prometheus exited on port \(port): \(log().suffix(800))")
            }
            if Self.get(port: port, path: "/-/ready")?.status == 200,
               let flags = Self.get(port: port, path: "/api/v1/status/flags"), flags.status == 200 {
                guard flags.body.contains("\"\(storagePath)\"") else {
                    throw Failure(description: "port \(port) is answered by another Prometheus")
                }
                return
            }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "prometheus on port \(port) was not ready within 15s: \(log().suffix(800))")
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    /// `PID\nDIRECTORY\n`, for the orphan cleanup of `scripts/run-swift-tests.sh`.
    private func recordPID(_ pid: pid_t) throws {
        try FileManager.default.createDirectory(at: Self.pidDirectory, withIntermediateDirectories: true)
        try "\(pid)\n\(directory.path)\n".write(to: pidFile, atomically: true, encoding: .utf8)
    }

    package func log() -> String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    /// A bare HTTP/1.0 GET on 127.0.0.1 (TestSupport has no HTTP client): status and body, nil when nothing answered
    /// within half a second. Blocking, but loopback-fast; only for readiness probes.
    static func get(port: Int, path: String) -> (status: Int, body: String)? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 0, tv_usec: 500_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
        let sent = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == request.count else { return nil }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while answer.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else {
                if count < 0 { return nil }  // timeout or reset: no complete answer
                break
            }
            answer += buffer[..<count]
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
        let statusLine = text[..<headEnd.lowerBound].prefix { $0 != "\r" }.split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        return (status, String(text[headEnd.upperBound...]))
    }
}
