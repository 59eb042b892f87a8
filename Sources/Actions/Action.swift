import BotCore
import Logging

/// Why a run is allowed to act: the actions that act on a measured set need to know.
package enum RunAuthorization: Sendable, Equatable {
    /// A command that needs no approval (or a preview/verification).
    case direct
    /// An approved plan: `approvedFacts` are what the approvers saw.
    case approved
    /// A destructive command run without approval by a break-glass role, with a reason.
    case breakGlass
}

/// Who is asking and where: what every action may want to know, never anything secret.
package struct ActionContext: Sendable {
    package let userID: String
    package let channelID: String
    package let command: String
    package let logger: Logger
    /// The preview facts the approvers saw, when this run executes an approved plan (empty otherwise).
    /// A destructive action that acts on a measured set (`db terminate`: these pids) acts on no more than this.
    package let approvedFacts: [PreviewFact]
    /// The folder of the plugin that declared the command (for `exec` programs and Job templates).
    package let pluginDirectory: String?
    package let authorization: RunAuthorization
    /// Where a long step (a rollout, a Job) reports its progress lines while it waits, e.g. a Slack message edited in place.
    package let progress: (@Sendable (String) async -> Void)?

    package init(
        userID: String, channelID: String, command: String, logger: Logger, approvedFacts: [PreviewFact] = [],
        pluginDirectory: String? = nil, authorization: RunAuthorization? = nil,
        progress: (@Sendable (String) async -> Void)? = nil
    ) {
        self.userID = userID
        self.channelID = channelID
        self.command = command
        self.logger = logger
        self.approvedFacts = approvedFacts
        self.pluginDirectory = pluginDirectory
        self.authorization = authorization ?? (approvedFacts.isEmpty ? .direct : .approved)
        self.progress = progress
    }

    /// The approved value of one fact, if this run executes an approved plan that measured it.
    package func approvedFact(_ name: String) -> PreviewFact.Value? {
        approvedFacts.first(where: { $0.name == name })?.value
    }
}

/// A table for the operator: rendered as a monospace block, cut to Slack's limits with "N more".
package struct OutputTable: Sendable, Equatable {
    package var title: String?
    package var columns: [String]
    package var rows: [[String]]

    package init(title: String? = nil, columns: [String], rows: [[String]]) {
        self.title = title
        self.columns = columns
        self.rows = rows
    }
}

/// One part of an action's answer beyond its summary line.
package enum OutputDetail: Sendable, Equatable {
    /// Rows and columns (pods, backends, slow queries…).
    case table(OutputTable)
    /// One measured indicator against its threshold: `healthy` true → green, false → red, nil → not judged.
    case indicator(name: String, value: String, threshold: String?, healthy: Bool?)
    /// A further mrkdwn paragraph.
    case text(String)
}

/// The result of one action, written for the operator in Slack (mrkdwn) plus structured facts for the audit.
package struct ActionOutput: Sendable, Equatable {
    package var summary: String
    package var facts: [String: String]
    /// What a read-only action measured, for a destructive command's plan (compared again before execution).
    package var previewFacts: [PreviewFact]
    /// Tables, indicators and paragraphs shown under the summary (Block Kit, with a text fallback).
    package var details: [OutputDetail]

    package init(summary: String, facts: [String: String] = [:], previewFacts: [PreviewFact] = [], details: [OutputDetail] = []) {
        self.summary = summary
        self.facts = facts
        self.previewFacts = previewFacts
        self.details = details
    }
}

/// A failure an operator can act on: which dependency, what happened, what to check. Never secrets.
package struct ActionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    package let dependency: String
    package let message: String

    package init(dependency: String, message: String) {
        self.dependency = dependency
        self.message = message
    }

    package var description: String { "\(dependency): \(message)" }

    package static func badParameter(_ action: String, _ message: String) -> ActionFailure {
        ActionFailure(dependency: action, message: message)
    }
}

/// A built-in action a plugin step can name (`kubernetes.scale`, later `redis.*`, `postgres.*`, …).
package protocol Action: Sendable {
    var name: String { get }
    /// Read-only actions may be used in `preview`.
    var readOnly: Bool { get }
    func run(_ parameters: [String: ResolvedValue], context: ActionContext) async throws(ActionFailure) -> ActionOutput
}

/// The actions this build offers, by name.
package struct ActionRegistry: Sendable {
    private let actions: [String: any Action]

    package init(_ actions: [any Action]) {
        self.actions = Dictionary(actions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    package subscript(name: String) -> (any Action)? { actions[name] }

    package var names: Set<String> { Set(actions.keys) }
}

extension Dictionary where Key == String, Value == ResolvedValue {
    package func requiredString(_ key: String, for action: String) throws(ActionFailure) -> String {
        guard let value = self[key]?.stringValue, !value.isEmpty else {
            throw .badParameter(action, "parameter `\(key)` is missing")
        }
        return value
    }

    package func requiredInt(_ key: String, for action: String) throws(ActionFailure) -> Int {
        guard let value = self[key]?.intValue else { throw .badParameter(action, "parameter `\(key)` must be a whole number") }
        return value
    }
}
