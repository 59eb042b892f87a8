import BotCore
/// The Slack text of an incident post (mrkdwn), kept free of Slack types so the Slack side only
/// wraps it in blocks with the two buttons.
package enum IncidentMessage {
    /// `action_id`s of the buttons (contract.md); `value` is the incident id.
    package static let acknowledgeActionID = "pagerduty.acknowledge"
    package static let resolveActionID = "pagerduty.resolve"

    /// Buttons to show for a status: none once resolved, only Resolve once acknowledged.
    package static func actionIDs(for status: IncidentStatus) -> [String] {
        switch status {
        case .triggered: [acknowledgeActionID, resolveActionID]
        case .acknowledged: [resolveActionID]
        case .resolved: []
        }
    }

    /// Title line plus fields; `status` is the ordered state (not the snapshot's, which may be older).
    package static func text(for incident: Incident, status: IncidentStatus, suggestion: String, by agent: String? = nil) -> String {
        let emoji = switch status {
        case .triggered: ":red_circle:"
        case .acknowledged: ":large_yellow_circle:"
        case .resolved: ":white_check_mark:"
        }
        let title = SlackText.escaped(incident.title)
        let link = incident.htmlURL.map { "<\($0)|#\(incident.number)>" } ?? "#\(incident.number)"
        var lines = ["\(emoji) *\(status.rawValue.capitalized)*\(agent.map { " by \(SlackText.escaped($0))" } ?? ""): \(link) \(title)"]
        var fields: [String] = []
        fields.append("*Urgency:* \(SlackText.escaped(incident.urgency ?? "—"))")
        fields.append("*Priority:* \(SlackText.escaped(incident.priority ?? "—"))")
        fields.append("*Service:* \(SlackText.escaped(incident.service?.summary ?? "—"))")
        fields.append("*Assigned:* \(incident.assignees.isEmpty ? "—" : incident.assignees.map(SlackText.escaped).joined(separator: ", "))")
        lines.append(fields.joined(separator: "   "))
        if status != .resolved { lines.append("*Suggested:* `/hybrid \(suggestion)`") }
        return lines.joined(separator: "\n")
    }

    /// `pd list`: one line per open incident, or a plain "none" line.
    package static func list(_ incidents: [Incident]) -> String {
        guard !incidents.isEmpty else { return "No open PagerDuty incidents." }
        let lines = incidents.map { incident in
            let link = incident.htmlURL.map { "<\($0)|#\(incident.number)>" } ?? "#\(incident.number)"
            let who = incident.assignees.isEmpty ? "" : " — \(incident.assignees.map(SlackText.escaped).joined(separator: ", "))"
            return "• \(link) [\(incident.status)] \(SlackText.escaped(incident.title)) (\(SlackText.escaped(incident.service?.summary ?? "no service")), "
                + "\(SlackText.escaped(incident.urgency ?? "?")))\(who) `\(incident.id)`"
        }
        return "*Open PagerDuty incidents (\(incidents.count)):*\n" + lines.joined(separator: "\n")
    }
}
