import Hummingbird
import Logging

/// The one way tests serve a fake over HTTP: a Hummingbird router on 127.0.0.1 with an ephemeral port, alive for the
/// duration of `body` (which gets the base URL), cancelled after. Fakes (Kubernetes, PagerDuty, Prometheus, Slack…)
/// differ only in their routers.
package enum LocalHTTPServer {
    package struct NoPort: Error, CustomStringConvertible {
        package var description: String { "the test HTTP server did not report a port" }
    }

    package static func run<Context: RequestContext, T: Sendable>(
        _ router: Router<Context>, _ body: @escaping @Sendable (_ baseURL: String) async throws -> T
    ) async throws -> T where Context.Source == ApplicationRequestContextSource {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        // Cancelling the server at the end logs at error level; keep test output quiet.
        var logger = Logger(label: "test.http-server")
        logger.logLevel = .critical
        let server = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port > 0 else {
                group.cancelAll()
                throw NoPort()
            }
            group.addTask { try await body("http://127.0.0.1:\(port)") }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw NoPort()
        }
    }
}
