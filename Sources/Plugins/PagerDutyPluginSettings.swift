import Foundation
import Yams

/// The optional `pagerduty:` section of `plugins/pagerduty/plugin.yaml` (allowed only in that folder): which runbook
/// command an incident suggests, the escalation reminders, and when a missing post-incident report is asked for.
///
/// ```yaml
/// pagerduty:
///   suggestions:                      # first match of a keyword in the service name or title wins
///     - { command: "latency check", keywords: [latency, slow, p95] }
///   fallback: status
///   escalation:                       # reminders while nobody acknowledged
///     - { after_minutes: 15, level: 2, who: "engineering manager" }
///   report_reminder_hours: 24
/// ```
package struct PagerDutyPluginSettings: Sendable, Equatable {
    package struct Suggestion: Sendable, Equatable {
        package var command: String
        package var keywords: [String]
    }

    package struct EscalationLevel: Sendable, Equatable {
        package var afterMinutes: Int
        package var level: Int
        package var who: String
    }

    package var suggestions: [Suggestion] = []
    package var fallback: String?
    package var escalation: [EscalationLevel] = []
    package var reportReminderHours: Int?

    static let keys = ["suggestions", "fallback", "escalation", "report_reminder_hours"]

    /// The first `pagerduty:` section among `DIRECTORY/*/plugin.yaml` (nil when none); problems are reported by the
    /// plugin loader (`hybridbot check`), so a broken section here just yields what could be read.
    package static func load(directory: String) -> PagerDutyPluginSettings? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        for folder in names.sorted() where !folder.hasPrefix(".") {
            let file = LoadProblem.join(LoadProblem.join(directory, folder), PluginLoader.fileName)
            guard case .success(let root) = YAMLSource.load(path: file), case .mapping(let mapping) = root else { continue }
            for (key, value) in mapping where key.string == "pagerduty" {
                return read(value, reader: NodeReader(file: file))
            }
        }
        return nil
    }

    static func read(_ node: Node, reader: NodeReader) -> PagerDutyPluginSettings? {
        guard let fields = reader.fields(node, in: "pagerduty", allowed: keys) else { return nil }
        var settings = PagerDutyPluginSettings()
        if let list = fields["suggestions"], let items = reader.sequence(list, "suggestions") {
            for item in items {
                guard let entry = reader.fields(item, in: "a suggestion", allowed: ["command", "keywords"], required: ["command", "keywords"]),
                      let command = entry["command"].flatMap({ reader.string($0, "command") }),
                      let keywords = entry["keywords"].flatMap({ reader.strings($0, "keywords") })
                else { continue }
                settings.suggestions.append(Suggestion(command: command, keywords: keywords.map(\.value)))
            }
        }
        settings.fallback = fields["fallback"].flatMap { reader.string($0, "fallback") }
        if let list = fields["escalation"], let items = reader.sequence(list, "escalation") {
            for item in items {
                guard let entry = reader.fields(item, in: "an escalation level", allowed: ["after_minutes", "level", "who"],
                                                required: ["after_minutes", "level", "who"]),
                      let minutes = entry["after_minutes"].flatMap({ reader.int($0, "after_minutes") }),
                      let level = entry["level"].flatMap({ reader.int($0, "level") }),
                      let who = entry["who"].flatMap({ reader.string($0, "who") })
                else { continue }
                guard (1...10_080).contains(minutes) else {
                    reader.report(item, "'after_minutes' must be between 1 and 10080 (a week)")
                    continue
                }
                settings.escalation.append(EscalationLevel(afterMinutes: minutes, level: level, who: who))
            }
        }
        if let node = fields["report_reminder_hours"], let hours = reader.int(node, "report_reminder_hours") {
            if (1...720).contains(hours) { settings.reportReminderHours = hours } else {
                reader.report(node, "'report_reminder_hours' must be between 1 and 720")
            }
        }
        return settings
    }
}
