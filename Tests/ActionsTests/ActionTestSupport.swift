import Actions
import BotCore
import HTTPDriver
import Logging

/// The context every action test runs in: a user in the local channel, no approval.
func testContext(command: String = "test", approved: [PreviewFact] = []) -> ActionContext {
    ActionContext(userID: "U0TEST", channelID: "C0LOCAL", command: command, logger: Logger(label: "test"), approvedFacts: approved)
}

/// One HTTP client for the whole test process (its worker threads live as long as the tests).
let sharedHTTP = HTTPClient(threads: 2)

extension ActionOutput {
    var tables: [OutputTable] {
        details.compactMap { if case .table(let t) = $0 { t } else { nil } }
    }

    var indicators: [(name: String, value: String, healthy: Bool?)] {
        details.compactMap { if case .indicator(let n, let v, _, let h) = $0 { (n, v, h) } else { nil } }
    }
}
