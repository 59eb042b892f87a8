import BotCore
import Logging
import ServiceLifecycle
import Store

/// Expires approvals on time, and after a restart settles those caught mid-flight (re-check or report interrupted).
package struct ApprovalSweeper: Service {
    let flow: ApprovalFlow
    let interval: Duration
    let logger: Logger

    package init(flow: ApprovalFlow, interval: Duration = .seconds(15), logger: Logger) {
        self.flow = flow
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        await recoverAfterRestart()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await sweep()
            try? await Task.sleep(for: interval)
        }
    }

    /// Requests found verifying or executing at start: nothing is re-run blindly.
    package func recoverAfterRestart() async {
        for approval in (try? await flow.store.openApprovals()) ?? [] where approval.request.state != .pending {
            logger.notice("settling an approval interrupted by a restart", metadata: ["approval.id": "\(approval.request.id)"])
            await flow.apply(.interruptedByRestart, to: approval.request.id, clicker: nil)
        }
    }

    /// Expires pending requests whose time is up.
    package func sweep() async {
        let now = flow.now()
        for approval in (try? await flow.store.openApprovals()) ?? [] where approval.request.state == .pending && approval.request.expiresAt <= now {
            await flow.apply(.tick(at: now), to: approval.request.id, clicker: nil)
        }
    }
}
