import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One dedicated OS thread that owns one ``RedisConnection`` and runs jobs against it in FIFO
/// order. A hiredis context is not thread-safe, and its calls block: both stay off Swift's
/// cooperative pool. The connection is created, used and freed on this thread only.
///
/// `@unchecked Sendable`: every mutable stored property (`jobs`, `head`, `draining`, `exited`,
/// `exitWaiters`) is only read or written while holding `condition`; `configuration` is
/// immutable and Sendable. The ``RedisConnection`` never leaves the worker thread.
final class RedisWorker: @unchecked Sendable {
    typealias Job = @Sendable (RedisConnection) -> Void

    private let condition = NSCondition()
    private var jobs: [Job?] = []
    private var head = 0
    private var draining = false
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    init(configuration: RedisConnection.Configuration) {
        let thread = Thread { [self] in self.run(configuration) }
        thread.name = "RedisDriver"  // Linux caps thread names at 15 bytes
        thread.start()
    }

    /// Queues `job`; returns false (without running it) once shutdown has begun.
    func submit(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !draining else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Stops accepting jobs; queued jobs still run, then the connection is freed and the thread
    /// exits. Non-blocking.
    func beginShutdown() {
        condition.lock()
        draining = true
        condition.broadcast()
        condition.unlock()
    }

    /// Begins shutdown and suspends (without blocking a thread) until the thread has exited.
    func shutdown() async {
        beginShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if exited {
                condition.unlock()
                continuation.resume()
            } else {
                exitWaiters.append(continuation)
                condition.unlock()
            }
        }
    }

    private func run(_ configuration: RedisConnection.Configuration) {
        Self.blockSIGPIPE()
        let connection = RedisConnection(configuration: configuration)
        while let job = nextJob() {
            job(connection)
        }
        connection.disconnect()
        condition.lock()
        exited = true
        let waiters = exitWaiters
        exitWaiters = []
        condition.unlock()
        for waiter in waiters { waiter.resume() }
    }

    /// Blocks the worker thread until a job is available; nil once drained and shutting down.
    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if draining { return nil }
            condition.wait()
        }
        let job = jobs[head]
        jobs[head] = nil  // release the captured continuation as soon as the job is taken
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    /// hiredis writes with plain `write(2)`: on a connection the server has dropped that raises
    /// SIGPIPE, whose default action kills the process. A SIGPIPE caused by `write` is directed
    /// at the writing thread, so blocking it here (only on this dedicated thread, no process-wide
    /// change) turns it into an `EPIPE` error that the connection handles like any broken socket.
    private static func blockSIGPIPE() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
