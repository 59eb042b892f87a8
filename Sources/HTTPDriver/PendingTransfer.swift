import Synchronization

/// The awaiting side of one queued or running transfer. Whoever comes first resumes the
/// continuation exactly once: the worker with the transfer's result, or task cancellation
/// with `CancellationError` (the worker then skips or aborts the transfer via `flag`).
final class PendingTransfer: Sendable {
    private enum State {
        case waitingForContinuation
        case waiting(CheckedContinuation<HTTPResponse, any Error>)
        case cancelled
        case done
    }

    private let state = Mutex(State.waitingForContinuation)
    let flag = CancellationFlag()

    /// Stores the continuation, or resumes it right away if the task was already cancelled.
    func attach(_ continuation: CheckedContinuation<HTTPResponse, any Error>) {
        let cancelledEarly = state.withLock { state -> Bool in
            if case .cancelled = state { return true }
            state = .waiting(continuation)
            return false
        }
        if cancelledEarly { continuation.resume(throwing: CancellationError()) }
    }

    func cancel() {
        flag.set()
        let continuation = state.withLock { state -> CheckedContinuation<HTTPResponse, any Error>? in
            switch state {
            case .waitingForContinuation:
                state = .cancelled
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .cancelled, .done:
                return nil
            }
        }
        continuation?.resume(throwing: CancellationError())
    }

    func finish(_ result: Result<HTTPResponse, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<HTTPResponse, any Error>? in
            guard case .waiting(let continuation) = state else { return nil }
            state = .done
            return continuation
        }
        continuation?.resume(with: result)
    }
}
