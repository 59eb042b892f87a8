import BotConfig
import BotCore
import Engine
import HTTPDriver
import Logging
import PagerDuty
import Plugins
import Store

/// PagerDuty's part of `serve`: settings from the environment and `plugins/pagerduty/plugin.yaml`.
enum PagerDutyWiring {
    /// `PAGERDUTY_WEBHOOK_SECRETS`, comma-separated (two during a rotation).
    static func webhookSecrets(_ config: BotConfiguration) -> [String] {
        (config["PAGERDUTY_WEBHOOK_SECRETS"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func incidentSettings(_ config: BotConfiguration) -> IncidentSettings {
        incidentSettings(plugin: PagerDutyPluginSettings.load(directory: config.pluginsPath), channel: config["PAGERDUTY_SLACK_CHANNEL"],
                         slashCommand: config.slashCommand)
    }

    static func incidentSettings(plugin: PagerDutyPluginSettings?, channel: String?, slashCommand: String) -> IncidentSettings {
        var settings = IncidentSettings(channel: channel, slashCommand: slashCommand)
        guard let plugin else { return settings }
        if !plugin.suggestions.isEmpty || plugin.fallback != nil {
            let rules = plugin.suggestions.isEmpty ? RunbookSuggestion.standard.rules
                : plugin.suggestions.map { RunbookSuggestion.Rule(keywords: $0.keywords, command: $0.command) }
            settings.suggestion = RunbookSuggestion(rules: rules, fallback: plugin.fallback ?? "status")
        }
        if !plugin.escalation.isEmpty {
            settings.escalation = EscalationPlan(minutes: plugin.escalation.map { (minutes: $0.afterMinutes, level: $0.level, who: $0.who) })
        }
        if let hours = plugin.reportReminderHours { settings.reportReminderAfter = .seconds(hours * 3600) }
        return settings
    }

    static func integration(
        _ config: BotConfiguration, http: HTTPClient, policy: PermissionPolicy, store: any BotStore, poster: SlackPoster, logger: Logger
    ) -> PagerDutyIntegration {
        let settings = incidentSettings(config)
        if webhookSecrets(config).isEmpty {
            logger.notice("PAGERDUTY_WEBHOOK_SECRETS is not set: POST /pagerduty/webhooks answers 503 until it is")
        } else if settings.channel == nil {
            logger.notice("PAGERDUTY_SLACK_CHANNEL is not set: incidents are tracked but not posted")
        }
        return PagerDutyIntegration.configured(
            settings: config.effective, http: http, incidents: settings, policy: policy, store: store, poster: poster, logger: logger)
    }
}
