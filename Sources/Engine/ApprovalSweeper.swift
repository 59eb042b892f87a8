import BotCore
import Logging
import ServiceLifecycle
import Store

/// Expires approvals on time, and after a restart settles those caught mid-flight (re-check or report interrupted).
package struct ApprovalSweeper: Service {
    let flow: ApprovalFlow
    let interval: Duration
    let interruptedAtStart: [String]
    let logger: Logger

    /// `interruptedAtStart`: ids found mid-flight before anything started (see `interruptedApprovals`); only
    /// those are settled, so a request that live work moves on meanwhile is never mistaken for an interrupted one.
    package init(flow: ApprovalFlow, interval: Duration = .seconds(15), interruptedAtStart: [String] = [], logger: Logger) {
        self.flow = flow
        self.interval = interval
        self.interruptedAtStart = interruptedAtStart
        self.logger = logger
    }

    /// Approvals left verifying or executing by the previous process. Call before the listener and core start.
    package static func interruptedApprovals(in store: any BotStore) async throws -> [String] {
        try await store.openApprovals().filter { $0.request.state != .pending }.map(\.request.id)
    }

    package func run() async throws {
        await recoverAfterRestart()
        // Cancelled (not just asked) on shutdown, so a stop does not wait out the sleep between sweeps.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Requests found verifying or executing at start: nothing is re-run blindly, nothing expired runs.
    package func recoverAfterRestart() async {
        for id in interruptedAtStart { await flow.settleInterrupted(id) }
    }

    /// Expires pending requests whose time is up.
    package func sweep() async {
        let now = flow.now()
        for approval in (try? await flow.store.openApprovals()) ?? [] where approval.request.state == .pending && approval.request.expiresAt <= now {
            await flow.apply(.tick(at: now), to: approval.request.id, clicker: nil)
        }
    }
}
