import Foundation
import Hummingbird
import Logging
import NIOCore

/// A tiny local `response_url` receiver for `hybridbot say`: collects what the bot posts back.
final class ResponseSink: Sendable {
    let url: String
    private let stream: AsyncStream<[UInt8]>
    private let task: Task<Void, any Error>

    private init(url: String, stream: AsyncStream<[UInt8]>, task: Task<Void, any Error>) {
        self.url = url
        self.stream = stream
        self.task = task
    }

    static func start() async throws -> ResponseSink {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let path = "/response/\(UUID().uuidString.lowercased())"
        let router = Router()
        router.post(RouterPath(path)) { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            continuation.yield(Array(body.readableBytesView))
            return .ok
        }
        var logger = Logger(label: "hybridbot.say")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0); portContinuation.finish() },
            logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var port = 0
        for await p in ports { port = p }
        return ResponseSink(url: "http://127.0.0.1:\(port)\(path)", stream: stream, task: task)
    }

    /// Messages that arrive within `limit`; returns shortly after the first one (the result) unless more follow quickly.
    func messages(upTo limit: Duration, grace: Duration = .milliseconds(500)) async -> [[UInt8]] {
        let clock = ContinuousClock()
        var deadline = clock.now.advanced(by: limit)
        var received: [[UInt8]] = []
        let stream = self.stream
        while clock.now < deadline {
            let next = await withTaskGroup(of: [UInt8]?.self) { group in
                let until = deadline
                group.addTask {
                    var iterator = stream.makeAsyncIterator()
                    return await iterator.next()
                }
                group.addTask {
                    try? await Task.sleep(until: until, clock: clock)
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let next else { break }
            received.append(next)
            deadline = min(deadline, clock.now.advanced(by: grace))
        }
        return received
    }

    func stop() {
        task.cancel()
    }
}
