import Foundation
import PagerDuty

/// How incidents are shown and chased: where they are posted, which runbook command is suggested, who is reminded
/// when, and when a missing post-incident report is asked for (`plugins/pagerduty/plugin.yaml`, `PAGERDUTY_SLACK_CHANNEL`).
package struct IncidentSettings: Sendable {
    /// `PAGERDUTY_SLACK_CHANNEL`; nil: incidents are tracked but not posted.
    package var channel: String?
    package var suggestion: RunbookSuggestion
    package var escalation: EscalationPlan
    /// After resolution without a report, the channel is reminded once.
    package var reportReminderAfter: Duration
    /// The slash command, for the suggested commands in messages.
    package var slashCommand: String

    package init(
        channel: String?, suggestion: RunbookSuggestion = .standard, escalation: EscalationPlan = .standard,
        reportReminderAfter: Duration = .seconds(24 * 3600), slashCommand: String = "/hybrid"
    ) {
        self.channel = channel
        self.suggestion = suggestion
        self.escalation = escalation
        self.reportReminderAfter = reportReminderAfter
        self.slashCommand = slashCommand
    }
}
