import Foundation

/// A fixed set of dedicated OS threads running blocking jobs (libcurl transfers, hiredis commands) in FIFO order,
/// so blocking C calls never run on Swift's cooperative thread pool. Shared by the drivers.
///
/// `@unchecked Sendable`: every mutable stored property (`jobs`, `state`, `liveThreads`,
/// `exitWaiters`) is only read or written while holding `condition`; the remaining
/// properties are immutable.
package final class WorkerPool: @unchecked Sendable {
    package typealias Job = @Sendable () -> Void

    private enum State { case running, draining }

    private let condition = NSCondition()
    private var jobs: [Job?] = []
    private var head = 0
    private var state = State.running
    private var liveThreads: Int
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    /// `onThreadStart` runs first on each worker thread (e.g. to set its signal mask).
    package init(threads: Int, name: String, onThreadStart: (@Sendable () -> Void)? = nil) {
        let count = max(1, threads)
        liveThreads = count
        for index in 0..<count {
            let thread = Thread { [self] in
                onThreadStart?()
                self.workLoop()
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Queues `job`; returns false (without running it) once shutdown has begun.
    package func submit(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard state == .running else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Stops accepting jobs; queued jobs still run, then the threads exit. Non-blocking.
    package func beginShutdown() {
        condition.lock()
        state = .draining
        condition.broadcast()
        condition.unlock()
    }

    /// Begins shutdown and suspends (without blocking a thread) until every worker has exited.
    package func shutdown() async {
        beginShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            if liveThreads == 0 {
                condition.unlock()
                continuation.resume()
            } else {
                exitWaiters.append(continuation)
                condition.unlock()
            }
        }
    }

    private func workLoop() {
        while let job = nextJob() {
            job()
        }
        condition.lock()
        liveThreads -= 1
        let waiters = liveThreads == 0 ? exitWaiters : []
        if liveThreads == 0 { exitWaiters = [] }
        condition.unlock()
        for waiter in waiters { waiter.resume() }
    }

    /// Blocks the calling worker thread until a job is available; nil once drained and shutting down.
    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if state == .draining { return nil }
            condition.wait()
        }
        let job = jobs[head]
        jobs[head] = nil  // release captured request/continuation as soon as the job is taken
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
}
